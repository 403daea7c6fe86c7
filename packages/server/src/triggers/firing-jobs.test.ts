import type { Automation, Firing, ReceivedEvent } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { firingJobs, type ActionJobBody, type StateEventJobBody } from './firing-jobs.js';

const triggering: ReceivedEvent = {
  occurred: '2026-11-22T10:00:00.000000Z',
  event: 'acme.failed',
  resource: { 'prefect.resource.id': 'acme.job.1' },
  related: [],
  payload: {},
  id: '0193a5c2-7c7e-7000-8000-000000000001',
  follows: null,
  received: '2026-11-22T10:00:00.100000Z',
};

const automation: Automation = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  name: 'alerts',
  description: '',
  enabled: true,
  tags: [],
  created: '2026-11-22T09:00:00.000000Z',
  updated: '2026-11-22T09:00:00.000000Z',
  trigger: {
    type: 'event',
    id: 't1',
    match: {},
    match_related: [],
    after: [],
    expect: ['acme.failed'],
    for_each: [],
    posture: 'Proactive',
    threshold: 1,
    within: 30,
  },
  actions: [{ type: 'do-nothing' }, { type: 'do-nothing' }],
  actions_on_trigger: [{ type: 'do-nothing' }],
  actions_on_resolve: [{ type: 'do-nothing' }, { type: 'do-nothing' }],
};

const firing = (state: 'Triggered' | 'Resolved'): Firing => ({
  id: `firing-${state}`,
  trigger: automation.trigger,
  trigger_states: [state],
  triggered: '2026-11-22T10:00:30.000000Z',
  triggering_labels: { 'prefect.resource.id': 'acme.job.1' },
  triggering_firings: [],
  triggering_event: triggering,
  triggering_value: null,
});

describe('firingJobs', () => {
  it('makes a triggered state event, then actions ++ actions_on_trigger with spec indexes, each waiting for it', () => {
    const jobs = firingJobs({ automation, firing: firing('Triggered') }, 123);
    expect(jobs.map((j) => j.kind)).toEqual(['state-event', 'action', 'action', 'action']);
    const state = JSON.parse(jobs[0]!.body) as StateEventJobBody;
    expect(state.event).toMatchObject({
      event: 'herald.automation.triggered',
      occurred: '2026-11-22T10:00:30Z',
      resource: {
        'prefect.resource.id': `herald.automation.${automation.id}`,
        'prefect.resource.name': 'alerts',
        'prefect.posture': 'Proactive',
      },
      payload: { triggering_labels: { 'prefect.resource.id': 'acme.job.1' }, triggering_event: triggering },
      follows: null,
    });
    expect(state.event.related).toEqual([
      { 'prefect.resource.id': `prefect.event.${triggering.id}`, 'prefect.resource.role': 'triggering-event' },
      {
        'prefect.resource.id': `herald.lineage.${automation.id}`,
        'prefect.resource.role': 'herald-lineage',
        'herald.automations': automation.id,
      },
    ]);
    const actions = jobs.slice(1).map((j) => JSON.parse(j.body) as ActionJobBody);
    expect(actions.map((a) => a.actionIndex)).toEqual([0, 1, 2]);
    expect(actions.map((a) => a.triggeringEvent.source)).toEqual(['firing', 'firing', 'state-event']);
    expect(actions.every((a) => a.automationTriggeredEventId === state.event.id)).toBe(true);
    expect(jobs.slice(1).every((j) => j.dependsOn === jobs[0]!.id && j.due === 123)).toBe(true);
  });

  it('makes a resolved state event and runs actions ++ actions_on_resolve, indexes after actions_on_trigger', () => {
    const jobs = firingJobs({ automation, firing: firing('Resolved') }, 5);
    expect((JSON.parse(jobs[0]!.body) as StateEventJobBody).event.event).toBe('herald.automation.resolved');
    expect(jobs.slice(1).map((j) => (JSON.parse(j.body) as ActionJobBody).actionIndex)).toEqual([0, 1, 3, 4]);
  });

  it('derives the same job and event ids from the same firing, and different ones from another', () => {
    const a = firingJobs({ automation, firing: firing('Triggered') }, 1);
    const b = firingJobs({ automation, firing: firing('Triggered') }, 2);
    expect(a.map((j) => j.id)).toEqual(b.map((j) => j.id));
    expect(new Set(a.map((j) => j.id)).size).toBe(a.length);
    const other = firingJobs({ automation, firing: { ...firing('Triggered'), id: 'another' } }, 1);
    expect(other[0]!.id).not.toBe(a[0]!.id);
  });

  it('omits prefect.posture for composite triggers', () => {
    const compound: Automation = {
      ...automation,
      trigger: { type: 'compound', id: 'c', triggers: [automation.trigger], require: 'any', within: null },
    };
    const [state] = firingJobs({ automation: compound, firing: firing('Triggered') }, 1);
    expect((JSON.parse(state!.body) as StateEventJobBody).event.resource).not.toHaveProperty('prefect.posture');
  });
});
