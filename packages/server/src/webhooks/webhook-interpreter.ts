import type { WebhookRecord } from '../storage/ports.js';
import { cloudEventToEvent, parseCloudEvents } from './cloud-events.js';
import { webhookContextData, type InboundRequest, type WebhookContextData } from './inbound-request.js';
import { completeEvent, type WebhookFailure } from './webhook-events.js';

/** Renders a webhook template against a request's context data (the sandboxed Jinja engine in production). */
export type RenderWebhookTemplate = (template: string, data: WebhookContextData) => { ok: true; text: string } | { ok: false; error: string };

/** What interpreting needs of a webhook. */
export type WebhookRef = Pick<WebhookRecord, 'id' | 'name' | 'template'>;

/** What a request means to a webhook: the events it yields, or why it yields none. */
export type Interpretation =
  | { ok: true; events: Record<string, unknown>[]; rendered: string | null }
  | { ok: false; failure: WebhookFailure; rendered: string | null };

/** The UI's "CloudEvent" preset (spec A7). A webhook whose template is this reads CloudEvents natively. */
export const CLOUD_EVENT_TEMPLATE = '{{ body | from_cloud_event(headers) }}';

const COMPACT_CLOUD_EVENT_TEMPLATE = CLOUD_EVENT_TEMPLATE.replace(/\s+/g, '');

/** The template presets of the create form (spec A3, A7). */
export const WEBHOOK_TEMPLATE_PRESETS = {
  static: `{
  "event": "backup.finished",
  "resource": {"prefect.resource.id": "infra.backups.nightly", "prefect.resource.name": "Nightly backup"}
}`,
  dynamic: `{
  "event": "ci.build.{{ body.status | default('unknown') }}",
  "resource": {
    "prefect.resource.id": "ci.repo.{{ body.repo }}.build.{{ body.build_id }}",
    "prefect.resource.name": "{{ body.repo }} #{{ body.build_id }}"
  },
  "related": [{"prefect.resource.id": "ci.branch.{{ body.branch }}", "prefect.resource.role": "branch"}],
  "payload": {"delivery": "{{ headers['x-delivery-id'] }}"}
}`,
  cloudevent: CLOUD_EVENT_TEMPLATE,
} as const;

/**
 * True when a template is the CloudEvent preset, whatever its spacing. Such a webhook parses requests
 * with the `cloudevents` library (structured, binary and batch modes) instead of rendering.
 *
 * @example
 * isCloudEventTemplate('{{body|from_cloud_event(headers)}}') // true
 */
export function isCloudEventTemplate(template: string): boolean {
  // Checked on every request: the cheap test first.
  return template.includes('from_cloud_event') && template.replace(/\s+/g, '') === COMPACT_CLOUD_EVENT_TEMPLATE;
}

/**
 * Turns a request into events for a webhook, without storing anything: the CloudEvents mapping for the
 * CloudEvent preset, otherwise the template rendered to JSON and completed (spec A6). Used by the
 * endpoint, by replay and by preview alike.
 *
 * @example
 * const result = interpretRequest(webhook, request, render);
 * if (!result.ok) console.log(result.failure.reason, result.failure.error);
 */
export function interpretRequest(webhook: WebhookRef, request: InboundRequest, render: RenderWebhookTemplate): Interpretation {
  if (isCloudEventTemplate(webhook.template)) {
    const parsed = parseCloudEvents(request);
    if (!parsed.ok) return { ok: false, failure: { reason: 'cloudevent', error: parsed.error }, rendered: null };
    const events: Record<string, unknown>[] = [];
    for (const cloudEvent of parsed.events) {
      const completed = completeEvent(cloudEventToEvent(cloudEvent, webhook.id), webhook, request);
      if (!completed.ok) return { ok: false, failure: { reason: 'event', error: completed.error }, rendered: null };
      events.push(completed.event);
    }
    return { ok: true, events, rendered: null };
  }
  const rendered = render(webhook.template, webhookContextData(request));
  if (!rendered.ok) return { ok: false, failure: { reason: 'template', error: `the template failed: ${rendered.error}` }, rendered: null };
  let value: unknown;
  try {
    value = JSON.parse(rendered.text);
  } catch (error) {
    return { ok: false, failure: { reason: 'json', error: `the template did not render JSON: ${(error as Error).message}` }, rendered: rendered.text };
  }
  const completed = completeEvent(value, webhook, request);
  if (!completed.ok) return { ok: false, failure: { reason: 'event', error: completed.error }, rendered: rendered.text };
  return { ok: true, events: [completed.event], rendered: rendered.text };
}
