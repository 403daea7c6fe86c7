export {
  DEFAULT_RENDER_BUDGET,
  MAX_RANGE,
  renderJsonTemplate,
  renderTemplate,
  validateTemplate,
  type RenderBudget,
} from './template-engine.js';
export {
  TEMPLATE_OPTIONS,
  buildActionTemplateContext,
  buildWebhookTemplateContext,
  type TemplateContext,
  type TemplateOptions,
  type WebhookRequestInput,
} from './template-context.js';
export { MAX_FOR_LOOPS, MAX_LOOP_DEPTH } from './template-diagnostics.js';
