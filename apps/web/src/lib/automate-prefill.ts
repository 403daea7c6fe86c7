import type { Action, AutomationDraft, JsonValue, ReceivedEvent } from '@herald/sdk/browser';
import { humanizeEventName } from './format.js';

/** Roles whose resource is a stable parent (a flow, a deployment), worth matching exactly. */
const PARENT_ROLES = new Set(['flow', 'deployment', 'work-queue', 'work-pool']);

/**
 * The resource kind of an id, as a wildcard: `acme.model.churn` → `acme.model.*`,
 * `prefect.flow-run.1234` → `prefect.flow-run.*`. Ids with fewer than three segments stay as they are.
 *
 * @example
 * resourceKindPattern('acme.model.churn') // 'acme.model.*'
 */
export function resourceKindPattern(id: string): string {
  const parts = id.split('.');
  return parts.length >= 3 ? `${parts.slice(0, -1).join('.')}.*` : id;
}

/**
 * An automation pre-filled from an event: fire on this event name for any resource of the same kind
 * (a wildcard, not the one id, which may never emit again), bucketed per resource, plus an exact
 * match on a related parent (flow, deployment) when the event has one. Reactive, threshold 1.
 *
 * @example
 * automationFromEvent(event).trigger.match // { 'prefect.resource.id': 'acme.model.*' }
 */
export function automationFromEvent(event: ReceivedEvent, actions: Action[] = [{ type: 'do-nothing' }]): AutomationDraft {
  const id = event.resource['prefect.resource.id'] ?? '';
  const kind = resourceKindPattern(id);
  const parent = event.related.find((r) => PARENT_ROLES.has(r['prefect.resource.role'] ?? ''));
  const matchRelated: Record<string, JsonValue> = parent
    ? { 'prefect.resource.role': parent['prefect.resource.role'] ?? '', 'prefect.resource.id': parent['prefect.resource.id'] ?? '' }
    : {};
  return {
    name: `${humanizeEventName(event.event)} on any ${kind}`,
    description: `Created from event ${event.id}.`,
    enabled: true,
    tags: [],
    trigger: {
      type: 'event',
      match: { 'prefect.resource.id': kind },
      match_related: matchRelated,
      after: [],
      expect: [event.event],
      for_each: ['prefect.resource.id'],
      posture: 'Reactive',
      threshold: 1,
      within: 0,
    },
    actions,
  };
}
