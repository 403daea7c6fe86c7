import { normalizeUuid, RESOURCE_ID_LABEL, RESOURCE_ROLE_LABEL } from '@herald/core';
import type { EventRecord } from '../ports.js';

/** Column arrays for one `INSERT … SELECT * FROM unnest(…)` into `events`. */
export interface EventColumns {
  seq: number[];
  id: string[];
  occurred: number[];
  received: number[];
  event: string[];
  resourceId: string[];
  json: string[];
  follows: (string | null)[];
}

/** Column arrays for one `INSERT … SELECT … FROM unnest(…)` into `event_resources`. */
export interface ResourceColumns {
  seq: number[];
  position: number[];
  resourceId: string[];
  role: (string | null)[];
  occurred: number[];
  labels: (string | null)[];
}

// PostgreSQL text cannot hold NUL, and jsonb refuses lone surrogates. Such characters are legal in an
// event, so the indexed copies get U+FFFD instead; the stored JSON keeps the event exactly.
// eslint-disable-next-line no-control-regex -- NUL is exactly the character to replace.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with the characters PostgreSQL cannot store as text replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}

/**
 * Splits records into the column arrays of both tables. `seqs[i]` is the log position of `records[i]`.
 * Position 0 of `event_resources` is the primary resource, 1..n the related ones in order; `labels`
 * holds the labels other than id and role, or null when there are none.
 */
export function toColumns(records: readonly EventRecord[], seqs: readonly number[]): { events: EventColumns; resources: ResourceColumns } {
  const events: EventColumns = { seq: [], id: [], occurred: [], received: [], event: [], resourceId: [], json: [], follows: [] };
  const resources: ResourceColumns = { seq: [], position: [], resourceId: [], role: [], occurred: [], labels: [] };
  records.forEach((record, i) => {
    const seq = seqs[i]!;
    const { event } = record;
    events.seq.push(seq);
    events.id.push(normalizeUuid(event.id));
    events.occurred.push(record.occurred);
    events.received.push(record.received);
    events.event.push(storableText(event.event));
    events.resourceId.push(storableText(event.resource[RESOURCE_ID_LABEL] ?? ''));
    events.json.push(record.json);
    events.follows.push(event.follows == null ? null : normalizeUuid(event.follows));
    [event.resource, ...event.related].forEach((labels, position) => {
      let role: string | null = null;
      let others: Record<string, string> | null = null;
      for (const [key, value] of Object.entries(labels)) {
        if (key === RESOURCE_ID_LABEL) continue;
        if (key === RESOURCE_ROLE_LABEL) role = storableText(value);
        // A null-prototype object, so that a label named `__proto__` is stored like any other.
        else (others ??= Object.create(null) as Record<string, string>)[storableText(key)] = storableText(value);
      }
      resources.seq.push(seq);
      resources.position.push(position);
      resources.resourceId.push(storableText(labels[RESOURCE_ID_LABEL] ?? ''));
      resources.role.push(role);
      resources.occurred.push(record.occurred);
      resources.labels.push(others === null ? null : JSON.stringify(others));
    });
  });
  return { events, resources };
}

/**
 * True when two stored forms of an event carry the same content. `received` is ignored: a resend is
 * stamped anew on arrival. Key order is ignored too, so only values decide.
 *
 * @example
 * sameEventContent('{"id":"a","received":"x"}', '{"id":"a","received":"y"}') // true
 */
export function sameEventContent(a: string, b: string): boolean {
  return canonical(withoutReceived(a)) === canonical(withoutReceived(b));
}

function withoutReceived(json: string): unknown {
  const value = JSON.parse(json) as Record<string, unknown>;
  delete value.received;
  return value;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
