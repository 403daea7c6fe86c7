import type { Event, RelatedResource } from '@herald/core';

/** Role of the related resource that carries an event's automation lineage (ARCHITECTURE invariant 9). */
export const LINEAGE_ROLE = 'herald-lineage';
/** Label of the lineage resource: the comma-separated ids of the automations that led to the event. */
export const LINEAGE_LABEL = 'herald.automations';

/**
 * The automation ids an event descends from, oldest first, without repeats; `[]` without a lineage resource.
 *
 * @example
 * readLineage({ …, related: [{ 'prefect.resource.id': 'herald.lineage.b', 'prefect.resource.role': 'herald-lineage', 'herald.automations': 'a,b' }] }) // ['a', 'b']
 */
export function readLineage(event: Pick<Event, 'related'> | null): string[] {
  // Every lineage resource counts, as the engine reads them (a client could send several).
  const ids = new Set<string>();
  for (const entry of event?.related ?? []) {
    if (entry['prefect.resource.role'] !== LINEAGE_ROLE) continue;
    for (const id of (entry[LINEAGE_LABEL] ?? '').split(',')) if (id !== '') ids.add(id);
  }
  return [...ids];
}

/**
 * The lineage resource for an event caused by `automationId` acting on `parent`: the parent's lineage
 * followed by this automation (not repeated when already in it).
 *
 * @example
 * lineageResource(null, 'a') // { 'prefect.resource.id': 'herald.lineage.a', 'prefect.resource.role': 'herald-lineage', 'herald.automations': 'a' }
 */
export function lineageResource(parent: Pick<Event, 'related'> | null, automationId: string): RelatedResource {
  const ids = readLineage(parent);
  if (!ids.includes(automationId)) ids.push(automationId);
  return {
    'prefect.resource.id': `herald.lineage.${automationId}`,
    'prefect.resource.role': LINEAGE_ROLE,
    [LINEAGE_LABEL]: ids.join(','),
  };
}
