import { createHash } from 'node:crypto';
import { types } from 'node:util';
import type { Event, JsonValue } from '@herald/core';
import { HTTP, type CloudEventV1 } from 'cloudevents';
import type { InboundRequest } from './inbound-request.js';

/** Attributes that become parts of the Herald event rather than `payload.cloudevents`. */
const DATA_ATTRIBUTES = new Set(['data', 'data_base64']);

export type CloudEventParse = { ok: true; events: CloudEventV1<unknown>[] } | { ok: false; error: string };

/**
 * Reads the CloudEvents in a request with the `cloudevents` library's HTTP binding: structured mode
 * (`application/cloudevents+json`), binary mode (`ce-*` headers, the body is `data`) or batch mode
 * (`application/cloudevents-batch+json`, one Herald event per CloudEvent). Each event must be valid
 * (`id`, `source`, `type`, `specversion`).
 *
 * @example
 * const parsed = parseCloudEvents(request);
 * if (parsed.ok) parsed.events[0].type; // 'com.example.object.created'
 */
export function parseCloudEvents(request: InboundRequest): CloudEventParse {
  try {
    const message = { headers: { ...request.headers }, body: request.body.toString('utf8') };
    const parsed = HTTP.toEvent(message);
    const events = Array.isArray(parsed) ? parsed : [parsed];
    if (events.length === 0) return { ok: false, error: 'the CloudEvents batch is empty' };
    for (const event of events) (event as unknown as { validate(): boolean }).validate();
    return { ok: true, events };
  } catch (error) {
    return { ok: false, error: `not a valid CloudEvent: ${describeError(error)}` };
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const first = errors[0] as { instancePath?: string; message?: string };
    return `${first.instancePath ?? ''} ${first.message ?? ''}`.trim() || error.message;
  }
  return error.message;
}

/**
 * A UUID derived from a CloudEvent's identity (`source` + `id`, which the CloudEvents spec makes unique)
 * and the webhook: a sender's redelivery maps to the same Herald id, which the store's first-write-wins
 * absorbs.
 *
 * @example
 * cloudEventEventId('7b0…', 'https://example.com/orders', 'A234-1234') // stable UUID
 */
export function cloudEventEventId(webhookId: string, source: string, id: string): string {
  const hex = createHash('sha256').update(`herald.webhook\n${webhookId}\n${source}\n${id}`).digest('hex');
  // Version 8 (custom) and the RFC 4122 variant.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function dataAsJson(data: unknown): { data?: JsonValue; data_base64?: string } {
  if (data === undefined) return {};
  if (Buffer.isBuffer(data)) return { data_base64: data.toString('base64') };
  // The library decodes `data_base64` into a Uint32Array holding one byte per element.
  if (types.isTypedArray(data)) return { data_base64: Buffer.from(Array.from(data as Uint32Array)).toString('base64') };
  return { data: data as JsonValue };
}

/**
 * Maps a CloudEvent to a Herald event (spec A8): the resource id is `subject`, else `source`; the event
 * name is `type`; `occurred` is `time` when present; `payload.data` holds `data` (`payload.data_base64`
 * for binary data) and `payload.cloudevents` every other attribute. The caller adds the webhook as a
 * related resource and fills `occurred` when absent.
 *
 * @example
 * cloudEventToEvent(ce, webhook.id).resource['prefect.resource.id'] // ce.subject ?? ce.source
 */
export function cloudEventToEvent(cloudEvent: CloudEventV1<unknown>, webhookId: string): Partial<Event> & Pick<Event, 'event' | 'resource' | 'payload' | 'id'> {
  const attributes: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(cloudEvent)) {
    if (DATA_ATTRIBUTES.has(name) || value === undefined || typeof value === 'function') continue;
    attributes[name] = value as JsonValue;
  }
  const resourceId = cloudEvent.subject ? cloudEvent.subject : cloudEvent.source;
  return {
    id: cloudEventEventId(webhookId, cloudEvent.source, cloudEvent.id),
    event: cloudEvent.type,
    resource: { 'prefect.resource.id': resourceId },
    payload: { ...dataAsJson(cloudEvent.data), cloudevents: attributes },
    ...(cloudEvent.time ? { occurred: cloudEvent.time } : {}),
  };
}
