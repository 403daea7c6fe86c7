import { formatDateTime, newEventId, type Event, type JsonValue, type RelatedResource } from '@herald/core';
import type { WebhookRecord } from '../storage/ports.js';
import { templateHeaders, type InboundRequest } from './inbound-request.js';

/** Herald's resource id of a webhook (DECISIONS 20). */
export function webhookResourceId(id: string): string {
  return `herald.webhook.${id}`;
}

/** The webhook as a related resource of the events it produces (role `webhook`). */
export function webhookRelated(webhook: Pick<WebhookRecord, 'id' | 'name'>): RelatedResource {
  return { 'prefect.resource.id': webhookResourceId(webhook.id), 'prefect.resource.role': 'webhook', 'prefect.resource.name': webhook.name };
}

/** The debugging payload of spec A6 when a template gives none: method, headers (lower-cased, no credentials) and the raw body. */
export function defaultPayload(request: InboundRequest): Record<string, JsonValue> {
  return { method: request.method, headers: templateHeaders(request.headers), body: request.body.toString('utf8') };
}

export type Completion = { ok: true; event: Record<string, unknown> } | { ok: false; error: string };

/**
 * Completes what a template rendered into an event (spec A6): it must be a JSON object; Herald fills
 * `id` (UUIDv7) and `occurred` (the receipt time) when absent, uses the default payload when there is
 * none, and appends the webhook to `related`. Everything else is checked by the ingest validator.
 *
 * @example
 * completeEvent({ event: 'ci.build', resource: { 'prefect.resource.id': 'ci.repo.x' } }, webhook, request)
 * // { ok: true, event: { id: '0193…', occurred: '…', related: [{ … role: 'webhook' }], payload: { method, headers, body }, … } }
 */
export function completeEvent(value: unknown, webhook: Pick<WebhookRecord, 'id' | 'name'>, request: InboundRequest): Completion {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'the template must render a JSON object' };
  }
  const event: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (event.id === undefined || event.id === null || event.id === '') event.id = newEventId();
  if (event.occurred === undefined || event.occurred === null || event.occurred === '') event.occurred = formatDateTime(request.received);
  if (event.payload === undefined || event.payload === null) event.payload = defaultPayload(request);
  if (event.related === undefined || event.related === null) event.related = [];
  if (Array.isArray(event.related)) event.related = [...(event.related as unknown[]), webhookRelated(webhook)];
  return { ok: true, event };
}

/** Largest piece of a request or rendering copied into a `herald.webhook.failed` event. */
const MAX_ECHO_CHARS = 16 * 1024;

function clip(text: string): string {
  return text.length <= MAX_ECHO_CHARS ? text : `${text.slice(0, MAX_ECHO_CHARS)}…`;
}

/** Why a request failed: a stable code, then a short sentence for humans. */
export interface WebhookFailure {
  reason: 'unauthorized' | 'signature' | 'cloudevent' | 'template' | 'json' | 'event';
  error: string;
}

/**
 * `herald.webhook.failed` (DECISIONS 19): the webhook as the resource; the reason, the request (method,
 * headers without credentials, query and body, clipped) and what the template rendered.
 *
 * @example
 * await ingest.ingestOne(failedEvent(webhook, request, { reason: 'json', error: '…' }, rendered, requestId));
 */
export function failedEvent(
  webhook: Pick<WebhookRecord, 'id' | 'name'>,
  request: InboundRequest,
  failure: WebhookFailure,
  details: { rendered: string | null; requestId: string | null },
): Event {
  return {
    id: newEventId(),
    occurred: formatDateTime(request.received),
    event: 'herald.webhook.failed',
    resource: { 'prefect.resource.id': webhookResourceId(webhook.id), 'prefect.resource.name': webhook.name },
    related: [],
    payload: {
      reason: failure.reason,
      error: failure.error,
      request: { method: request.method, headers: templateHeaders(request.headers), query: request.query, body: clip(request.body.toString('utf8')) },
      rendered: details.rendered === null ? null : clip(details.rendered),
      request_id: details.requestId,
    },
    follows: null,
  };
}

/** The management events: `herald.webhook.created|updated|rotated|deleted`. */
export type WebhookAction = 'created' | 'updated' | 'rotated' | 'deleted';

/**
 * The event of a management action, emitted after the write commits. The payload describes the
 * webhook without its slug or any secret.
 *
 * @example
 * managementEvent('created', record, { enabled: true }, now)
 */
export function managementEvent(action: WebhookAction, webhook: Pick<WebhookRecord, 'id' | 'name'>, payload: Record<string, JsonValue>, nowUs: number): Event {
  return {
    id: newEventId(),
    occurred: formatDateTime(nowUs),
    event: `herald.webhook.${action}`,
    resource: { 'prefect.resource.id': webhookResourceId(webhook.id), 'prefect.resource.name': webhook.name },
    related: [],
    payload,
    follows: null,
  };
}
