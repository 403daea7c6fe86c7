import { HeraldError, RESOURCE_ID_LABEL, RESOURCE_ROLE_LABEL, type Resource } from '@herald/core';
import type { EventRecord } from '../ports.js';

/** `rid = seq * 1024 + position`, so an event can have at most 1023 related resources on SQLite. */
export const MAX_RESOURCES_PER_EVENT = 1024;

/** One value of an encoded batch: what the writer worker binds, as is. */
export type AppendCell = string | number | null;

/**
 * Flattens records into one array for the writer worker. A flat array of strings and numbers is the
 * cheapest thing to structured-clone across threads (no object per row). Per event:
 *
 * `idHex, occurred, received, event, primaryResourceId, json, resourceCount, followsHex`, then per
 * resource (position 0 the primary, then the related ones in order) `resourceId, role, labels`.
 *
 * `idHex` is the 32 hex digits of the id (the BLOB key); `followsHex` the same of `follows`, or null;
 * `role` is null when absent; `labels` is the JSON object of the other labels, or null when there are none.
 *
 * @example
 * encodeAppendRows([record]) // ['0193a5c27c7e70008000000000000001', 1711929600000000, …, 1, null, 'acme.model.churn', null, null]
 */
export function encodeAppendRows(records: readonly EventRecord[]): AppendCell[] {
  const cells: AppendCell[] = [];
  for (const { event, occurred, received, json } of records) {
    const resourceCount = 1 + event.related.length;
    if (resourceCount > MAX_RESOURCES_PER_EVENT) {
      throw new HeraldError('CONFIG_INVALID', {
        message: `SQLite storage keeps at most ${MAX_RESOURCES_PER_EVENT - 1} related resources per event; lower the related-resources limit.`,
        details: { eventId: event.id, related: event.related.length },
      });
    }
    cells.push(
      hexOf(event.id),
      occurred,
      received,
      event.event,
      event.resource[RESOURCE_ID_LABEL] ?? '',
      json,
      resourceCount,
      event.follows == null ? null : hexOf(event.follows),
    );
    pushResource(cells, event.resource);
    for (const resource of event.related) pushResource(cells, resource);
  }
  return cells;
}

function pushResource(cells: AppendCell[], resource: Resource): void {
  cells.push(resource[RESOURCE_ID_LABEL] ?? '', roleOf(resource), otherLabels(resource));
}

/** The 32 hex digits of a canonical UUID (records hold only those): the BLOB the writer binds. */
function hexOf(uuid: string): string {
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24);
}

function roleOf(resource: Resource): string | null {
  return Object.hasOwn(resource, RESOURCE_ROLE_LABEL) ? resource[RESOURCE_ROLE_LABEL]! : null;
}

/**
 * The JSON object of the labels other than id and role, written as JSON.stringify writes an object of
 * them (labels are strings), without building that object: one per resource on the ingest path.
 */
function otherLabels(resource: Resource): string | null {
  let json: string | null = null;
  for (const label in resource) {
    if (label === RESOURCE_ID_LABEL || label === RESOURCE_ROLE_LABEL || !Object.hasOwn(resource, label)) continue;
    json = (json === null ? '{' : json + ',') + JSON.stringify(label) + ':' + JSON.stringify(resource[label]);
  }
  return json === null ? null : json + '}';
}
