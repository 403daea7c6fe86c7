import {
  formatDateTime,
  parseDateTime,
  type Action,
  type Automation,
  type Event,
  type Firing,
  type RelatedResource,
  type TriggerState,
} from '@herald/core';
import { derivedEventId } from './actions/derived-event-id.js';
import { lineageResource } from './actions/lineage.js';
import type { NewJob } from './engine-state-store.js';

/** A top-level firing of an automation, as the engine reports it (H3's `AutomationFiring`). */
export interface AutomationFiringInput {
  automation: Automation;
  firing: Firing;
}

/** Body of a `state-event` job: the event to ingest, complete with its derived id. */
export interface StateEventJobBody {
  event: Event;
}

/** Body of an `action` job: everything H5's `ActionJob` needs except the attempt number. */
export interface ActionJobBody {
  automation: Automation;
  firing: Firing;
  action: Action;
  actionIndex: number;
  /** `firing`: the firing's triggering event; `state-event`: the automation's own triggered/resolved event (by id). */
  triggeringEvent: { source: 'firing' } | { source: 'state-event'; event: Event };
  automationTriggeredEventId: string | null;
}

const STATE_EVENT_NAMES: Record<TriggerState, string> = {
  Triggered: 'herald.automation.triggered',
  Resolved: 'herald.automation.resolved',
};

/**
 * The `herald.automation.triggered|resolved` event of a firing (spec 3.11 with Herald's names): the
 * automation as resource (with `prefect.posture` for an event trigger), the triggering event as
 * related, its lineage extended by this automation, and the firing's labels and event as payload.
 *
 * @example
 * buildStateEvent(automation, firing, 'Triggered', id).event // 'herald.automation.triggered'
 */
export function buildStateEvent(automation: Automation, firing: Firing, state: TriggerState, id: string): Event {
  const resource: Record<string, string> = {
    'prefect.resource.id': `herald.automation.${automation.id}`,
    'prefect.resource.name': automation.name,
  };
  if (automation.trigger.type === 'event') resource['prefect.posture'] = automation.trigger.posture;
  const triggering = firing.triggering_event;
  const related: RelatedResource[] = triggering
    ? [{ 'prefect.resource.id': `prefect.event.${triggering.id}`, 'prefect.resource.role': 'triggering-event' }]
    : [];
  related.push(lineageResource(triggering, automation.id));
  return {
    id,
    occurred: formatDateTime(parseDateTime(firing.triggered) ?? 0),
    event: STATE_EVENT_NAMES[state],
    resource,
    related,
    payload: { triggering_labels: firing.triggering_labels, triggering_event: triggering ?? null } as Event['payload'],
    follows: null,
  };
}

/**
 * The outbox jobs of one top-level firing (spec 3.11, DECISIONS 11 and 20): one `state-event` job per
 * state (Triggered before Resolved), then one `action` job per entry of `actions`, then
 * `actions_on_trigger` (when Triggered) and `actions_on_resolve` (when Resolved), `action_index`
 * being the position in that concatenation. Every action job waits for the state event it refers
 * to, so that event is stored before the action runs. Job ids derive from the firing id, so the same
 * firing always yields the same jobs.
 *
 * @example
 * const jobs = firingJobs({ automation, firing }, now);
 * // [{ kind: 'state-event', … }, { kind: 'action', dependsOn: jobs[0].id, … }]
 */
export function firingJobs({ automation, firing }: AutomationFiringInput, due: number): NewJob[] {
  const states = (['Triggered', 'Resolved'] as const).filter((s) => firing.trigger_states.includes(s));
  const jobs: NewJob[] = [];
  const stateJobs = new Map<TriggerState, { jobId: string; event: Event }>();
  for (const state of states) {
    const jobId = derivedEventId(firing.id, `state-job:${state}`);
    const event = buildStateEvent(automation, firing, state, derivedEventId(jobId, 'state-event'));
    stateJobs.set(state, { jobId, event });
    const body: StateEventJobBody = { event };
    jobs.push({ id: jobId, kind: 'state-event', automationId: automation.id, due, dependsOn: null, body: JSON.stringify(body) });
  }
  const link = stateJobs.get('Triggered') ?? stateJobs.get('Resolved');
  const triggered = stateJobs.get('Triggered');
  const resolved = stateJobs.get('Resolved');
  const { actions, actions_on_trigger: onTrigger, actions_on_resolve: onResolve } = automation;
  const planned: { action: Action; actionIndex: number; stateJob: { jobId: string; event: Event } | undefined; own: boolean }[] = [
    ...actions.map((action, i) => ({ action, actionIndex: i, stateJob: link, own: false })),
    // Indexes count every entry of the concatenation, whether or not this firing runs it.
    ...(triggered ? onTrigger.map((action, i) => ({ action, actionIndex: actions.length + i, stateJob: triggered, own: true })) : []),
    ...(resolved
      ? onResolve.map((action, i) => ({ action, actionIndex: actions.length + onTrigger.length + i, stateJob: resolved, own: true }))
      : []),
  ];
  for (const { action, actionIndex, stateJob, own } of planned) {
    const body: ActionJobBody = {
      automation,
      firing,
      action,
      actionIndex,
      triggeringEvent: own && stateJob ? { source: 'state-event', event: stateJob.event } : { source: 'firing' },
      automationTriggeredEventId: link?.event.id ?? null,
    };
    jobs.push({
      id: derivedEventId(firing.id, `action-job:${actionIndex}`),
      kind: 'action',
      automationId: automation.id,
      due,
      dependsOn: stateJob?.jobId ?? null,
      body: JSON.stringify(body),
    });
  }
  return jobs;
}
