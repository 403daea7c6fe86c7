import {
  formatDateTime,
  newEventId,
  normalizeUuid,
  parseDateTime,
  serializeEvent,
  toMicros,
  type Event,
  type EventLimits,
  type EventValidator,
  type JsonValue,
  type RelatedResource,
  type Resource,
} from '@herald/core';
import { HeraldClientError, type ApiIssue } from './herald-api-error.js';

/**
 * What `emitEvent` takes: an event without the fields the SDK can fill in. `id` defaults to a new
 * UUIDv7 and `occurred` to now.
 *
 * @example
 * const input: EmitEventInput = {
 *   event: 'acme.model.refreshed',
 *   resource: { 'prefect.resource.id': 'acme.model.churn' },
 *   payload: { rows: 1200 },
 * };
 */
export interface EmitEventInput {
  event: string;
  resource: Resource;
  related?: RelatedResource[];
  payload?: Record<string, JsonValue>;
  /** A UUID; defaults to a new time-ordered UUIDv7. Re-sending an id is safe: the first write wins. */
  id?: string;
  /** When it happened; a Date or an ISO-8601 string. Defaults to now. */
  occurred?: string | Date;
  /** The id of an earlier event this one follows (causal ordering). */
  follows?: string | null;
}

/** An event checked and serialised once, ready to queue. */
export interface PreparedEvent {
  event: Event;
  /** The frame sent on the websocket. */
  json: string;
  /** The canonical id, as the server acknowledges it. */
  key: string;
}

export interface PrepareEventOptions {
  validator: EventValidator;
  limits: EventLimits;
  /** The clock, in epoch milliseconds. */
  now: () => number;
  newId?: () => string;
}

// The longest `received` the server can add: the size limit is measured on the received event.
const RECEIVED_PLACEHOLDER = '0000-00-00T00:00:00.000000Z';

/**
 * Fills in `id` and `occurred`, validates with the same rules and size limit as the server, and
 * serialises. Throws `HeraldClientError('EVENT_VALIDATION_FAILED')` with `details.issues`, so that an
 * invalid or oversized event never enters the queue.
 *
 * @example
 * const { json, key } = prepareEvent({ event: 'x', resource: { 'prefect.resource.id': 'r' } }, options);
 */
export function prepareEvent(input: EmitEventInput, options: PrepareEventOptions): PreparedEvent {
  const candidate = {
    occurred: occurredText(input.occurred, options.now),
    event: input.event,
    resource: input.resource,
    related: input.related ?? [],
    payload: input.payload ?? {},
    id: input.id ?? (options.newId ?? newEventId)(),
    follows: input.follows ?? null,
  };
  const result = options.validator.validate(candidate);
  if (!result.ok) {
    throw invalidEvent(
      candidate.id,
      result.issues.map((i) => ({ pointer: i.pointer, type: i.type, message: i.message })),
    );
  }
  const event = result.event;
  let bytes: number;
  try {
    bytes = receivedSize(event);
  } catch (error) {
    // JSON.stringify refuses BigInt values and circular payloads.
    throw invalidEvent(event.id, [{ pointer: '/payload', type: 'json_invalid', message: (error as Error).message }]);
  }
  if (bytes > options.limits.maxEventBytes) {
    throw invalidEvent(event.id, [
      { pointer: '', type: 'event_too_large', message: `The event is ${bytes} bytes; the maximum is ${options.limits.maxEventBytes} bytes` },
    ]);
  }
  return { event, json: JSON.stringify(event), key: normalizeUuid(event.id) };
}

function occurredText(occurred: string | Date | undefined, now: () => number): string {
  if (occurred === undefined) return formatDateTime(toMicros(now()));
  if (occurred instanceof Date) {
    // An invalid Date has no ISO form; its text fails validation with a pointer at /occurred.
    return Number.isNaN(occurred.getTime()) ? 'Invalid Date' : formatDateTime(toMicros(occurred));
  }
  return occurred;
}

/** The byte size of the event as the server will store it, which is what the limit applies to. */
function receivedSize(event: Event): number {
  const stored = {
    ...event,
    occurred: formatDateTime(parseDateTime(event.occurred)!),
    id: normalizeUuid(event.id),
    follows: event.follows == null ? null : normalizeUuid(event.follows),
    received: RECEIVED_PLACEHOLDER,
  };
  return Buffer.byteLength(serializeEvent(stored), 'utf8');
}

function invalidEvent(id: unknown, issues: ApiIssue[]): HeraldClientError {
  const eventId = typeof id === 'string' ? id : null;
  const first = issues[0];
  const where = first && first.pointer !== '' ? ` at ${first.pointer}` : '';
  return new HeraldClientError('EVENT_VALIDATION_FAILED', `Invalid event${where}: ${first?.message ?? 'rejected'}`, {
    details: { eventId, issues: issues.map((i) => ({ ...i, eventId })) },
  });
}
