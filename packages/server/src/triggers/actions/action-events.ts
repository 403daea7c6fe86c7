import { parseDateTime, type Event, type JsonValue, type RelatedResource, type Resource } from '@herald/core';
import type { ActionJob, ActionOutcome } from './action-job.js';
import { lineageResource } from './lineage.js';

const FIVE_MINUTES_MICROS = 5 * 60 * 1_000_000;

/**
 * The two events that record one action run (spec 3.13 with Herald's names, DECISIONS 20):
 * `herald.automation.action.triggered` (occurred = the firing time, follows the triggering event when
 * it occurred within 5 minutes of the firing), then `.executed` or `.failed` (occurred = `now`,
 * follows the first). Both carry the automation resource, the related resources (the action's own,
 * then `automation-triggered-event`, then `triggering-event`, then the lineage, so that an automation
 * never counts the records of its own actions) and the payload `{action_index, action_type,
 * invocation, attempt, …details}` plus `reason` on failure.
 *
 * @example
 * const [triggered, executed] = buildActionEvents(job, outcome, { triggered: id1, outcome: id2 }, formatDateTime(nowUs));
 */
export function buildActionEvents(
  job: ActionJob,
  outcome: ActionOutcome,
  ids: { triggered: string; outcome: string },
  now: string,
): [Event, Event] {
  const { automation, firing } = job;
  const resource: Resource = {
    'prefect.resource.id': `herald.automation.${automation.id}`,
    'prefect.resource.name': automation.name,
    'prefect.trigger-type': automation.trigger.type,
  };
  if (automation.trigger.type === 'event') resource['prefect.posture'] = automation.trigger.posture;

  const related: RelatedResource[] = [...outcome.related];
  if (job.automationTriggeredEventId !== null) {
    related.push({
      'prefect.resource.id': `prefect.event.${job.automationTriggeredEventId}`,
      'prefect.resource.role': 'automation-triggered-event',
    });
  }
  if (job.triggeringEvent !== null) {
    related.push({ 'prefect.resource.id': `prefect.event.${job.triggeringEvent.id}`, 'prefect.resource.role': 'triggering-event' });
  }
  related.push(lineageResource(job.triggeringEvent, automation.id));

  const base: Record<string, JsonValue> = {
    action_index: job.actionIndex,
    action_type: job.action.type,
    invocation: job.id,
    attempt: job.attempt,
  };
  const triggered: Event = {
    occurred: firing.triggered,
    event: 'herald.automation.action.triggered',
    resource,
    related,
    payload: base,
    id: ids.triggered,
    follows: closeLeader(job),
  };
  const payload: Record<string, JsonValue> = { ...outcome.details, ...base };
  if (outcome.status === 'failed') payload.reason = outcome.reason;
  const result: Event = {
    occurred: now,
    event: outcome.status === 'executed' ? 'herald.automation.action.executed' : 'herald.automation.action.failed',
    resource: { ...resource },
    related: related.map((r) => ({ ...r })),
    payload,
    id: ids.outcome,
    follows: ids.triggered,
  };
  return [triggered, result];
}

/** The triggering event's id when it occurred less than 5 minutes from the firing (spec 3.13). */
function closeLeader(job: ActionJob): string | null {
  const event = job.triggeringEvent;
  if (event === null) return null;
  const triggered = parseDateTime(job.firing.triggered);
  const occurred = parseDateTime(event.occurred);
  if (triggered === null || occurred === null) return null;
  return Math.abs(triggered - occurred) < FIVE_MINUTES_MICROS ? event.id : null;
}
