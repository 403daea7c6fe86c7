import { formatDateTime, normalizeUuid, parseDateTime, toPointer, type Event, type ValidationIssue } from '@herald/core';
import type { EventRecord } from '../storage/ports.js';

/**
 * Turns a validated event into what is stored: `received` set by the server, ids in canonical form,
 * `occurred` in UTC, unknown keys dropped, and the canonical JSON computed once. Refuses an event
 * whose JSON exceeds `maxEventBytes` (Prefect drops it silently; Herald says so).
 *
 * @example
 * const r = normalizeEvent(event, now, { maxEventBytes: 1_500_000, path: [0] });
 */
export function normalizeEvent(
  event: Event,
  receivedUs: number,
  options: { maxEventBytes: number; path: (string | number)[]; receivedText?: string },
): { ok: true; record: EventRecord } | { ok: false; issue: ValidationIssue } {
  const occurredUs = parseDateTime(event.occurred)!;
  const received = {
    occurred: formatDateTime(occurredUs),
    event: event.event,
    resource: event.resource,
    related: event.related ?? [],
    payload: event.payload ?? {},
    id: normalizeUuid(event.id),
    follows: event.follows == null ? null : normalizeUuid(event.follows),
    // A batch shares one `received`; callers may format it once for all its events.
    received: options.receivedText ?? formatDateTime(receivedUs),
  };
  // `received` is built in the wire format's key order, so it is stringified as is: serializeEvent
  // would copy it into the same object first.
  const json = JSON.stringify(received);
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short JSON needs no count. JSON.stringify escapes
  // lone surrogates, so the byte length is exact.
  const bytes = json.length * 3 <= options.maxEventBytes ? 0 : Buffer.byteLength(json, 'utf8');
  if (bytes > options.maxEventBytes) {
    return {
      ok: false,
      issue: {
        pointer: toPointer(options.path),
        path: options.path,
        type: 'event_too_large',
        message: `The event is ${bytes} bytes; the maximum is ${options.maxEventBytes} bytes`,
      },
    };
  }
  return { ok: true, record: { event: received, occurred: occurredUs, received: receivedUs, json } };
}
