import type { ValidationIssue } from '../errors.js';
import { RESOURCE_ID_LABEL } from '../event.js';
import type { ResourceSpecification } from '../filter.js';
import type { AutomationInput, Trigger } from './automation-model.js';
import { issueAt } from './validation-result.js';

export const LOOP_GUARD_MESSAGE =
  'Value error, this automation would trigger itself forever: its trigger matches every event and it has an emit-event action, so each event it emits would fire it again. Narrow the trigger with `expect`, `match` or `match_related`, or disable the automation.';

/** True when a label spec places no condition on a primary resource (every event has a `prefect.resource.id`). */
function matchesEveryResource(spec: ResourceSpecification): boolean {
  return Object.entries(spec).every(([label, patterns]) => label === RESOURCE_ID_LABEL && (Array.isArray(patterns) ? patterns.includes('*') : patterns === '*'));
}

function matchesEveryRelated(spec: ResourceSpecification | ResourceSpecification[]): boolean {
  return Array.isArray(spec) ? spec.every((s) => Object.keys(s).length === 0) : Object.keys(spec).length === 0;
}

/**
 * True when an event trigger would count every event: no `expect` (or only `*`), and no condition on
 * the primary or related resources.
 *
 * @example
 * matchesEveryEvent({ type: 'event', expect: [], match: {}, match_related: {}, … }) // true
 */
export function matchesEveryEvent(trigger: Trigger): boolean {
  return (
    trigger.type === 'event' &&
    trigger.expect.every((pattern) => pattern === '*') &&
    matchesEveryResource(trigger.match) &&
    matchesEveryRelated(trigger.match_related)
  );
}

/**
 * Herald's static loop guard (issue 3, item 1): an enabled automation whose top-level trigger matches
 * every event must not emit events. Prefect's own guard (run-deployment on flow-run events, spec §1.2.4)
 * is moot because orchestration actions are refused. Model-level, so the issue's path is `[]`. The
 * runtime guard (lineage labels) covers the indirect loops this cannot see.
 *
 * @example
 * checkLoopGuard(automation) // [] or [{ path: [], type: 'value_error', message: LOOP_GUARD_MESSAGE, pointer: '' }]
 */
export function checkLoopGuard(automation: Pick<AutomationInput, 'enabled' | 'trigger' | 'actions' | 'actions_on_trigger' | 'actions_on_resolve'>): ValidationIssue[] {
  if (!automation.enabled || !matchesEveryEvent(automation.trigger)) return [];
  const actions = [...automation.actions, ...automation.actions_on_trigger, ...automation.actions_on_resolve];
  return actions.some((action) => action.type === 'emit-event') ? [issueAt([], 'value_error', LOOP_GUARD_MESSAGE)] : [];
}
