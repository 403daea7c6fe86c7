import { RESOURCE_ROLE_LABEL, type ReceivedEvent } from '@herald/core';
import { LINEAGE_LABEL, LINEAGE_ROLE } from './engine-types.js';

/**
 * The automation ids an event descends from (ARCHITECTURE invariant 9): the comma-separated
 * `herald.automations` labels of its related resources with role `herald-lineage`. Null when the
 * event carries no lineage (the common case, without allocating).
 *
 * @example
 * lineageIds(event) // Set { 'a1', 'a2' }
 */
export function lineageIds(event: ReceivedEvent): Set<string> | null {
  let ids: Set<string> | null = null;
  for (const related of event.related) {
    if (related[RESOURCE_ROLE_LABEL] !== LINEAGE_ROLE) continue;
    ids ??= new Set();
    for (const id of (related[LINEAGE_LABEL] ?? '').split(',')) {
      const trimmed = id.trim();
      if (trimmed !== '') ids.add(trimmed);
    }
  }
  return ids;
}
