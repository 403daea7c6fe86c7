/** A resource: a flat map of label names to string values. Always has `prefect.resource.id`. */
export type Resource = Record<string, string>;

/** A resource related to an event. Always has `prefect.resource.id` and `prefect.resource.role`. */
export type RelatedResource = Record<string, string>;

/** A JSON value as stored in an event payload. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An event as a client sends it (Prefect's `Event`).
 *
 * @example
 * const event: Event = {
 *   occurred: '2026-11-22T10:00:00Z',
 *   event: 'acme.model.refreshed',
 *   resource: { 'prefect.resource.id': 'acme.model.churn' },
 *   related: [], payload: { rows: 1200 },
 *   id: '0193a5c2-7c7e-7000-8000-000000000001', follows: null,
 * };
 */
export interface Event {
  occurred: string;
  event: string;
  resource: Resource;
  related: RelatedResource[];
  payload: Record<string, JsonValue>;
  id: string;
  follows: string | null;
}

/** An event as Herald stores and serves it: the {@link Event} plus the server's `received` time. */
export interface ReceivedEvent extends Event {
  received: string;
}

export const RESOURCE_ID_LABEL = 'prefect.resource.id';
export const RESOURCE_ROLE_LABEL = 'prefect.resource.role';

/**
 * Serialises a received event with the canonical key order of the wire format. Every key is present.
 *
 * @example
 * serializeEvent(event) // '{"occurred":"…","event":"…","resource":{…},"related":[],"payload":{},"id":"…","follows":null,"received":"…"}'
 */
export function serializeEvent(event: ReceivedEvent): string {
  return JSON.stringify({
    occurred: event.occurred,
    event: event.event,
    resource: event.resource,
    related: event.related,
    payload: event.payload,
    id: event.id,
    follows: event.follows,
    received: event.received,
  });
}
