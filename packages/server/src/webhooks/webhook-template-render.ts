import { buildWebhookTemplateContext, renderTemplate } from '../domain/templates/index.js';
import type { RenderWebhookTemplate } from './webhook-interpreter.js';

/** Webhook templates render in the sandboxed Jinja engine with the request's context. */
export const renderWebhookTemplate: RenderWebhookTemplate = (template, data) => renderTemplate(template, buildWebhookTemplateContext(data));
