import type { Automation, EventTrigger } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { describeTrigger, formatAutomationTable, formatConnectionTable, formatTrace } from './automations-format.js';

const event = (extra: Partial<EventTrigger> = {}): EventTrigger => ({
  type: 'event',
  id: 't',
  match: {},
  match_related: {},
  after: [],
  expect: ['acme.deploy.failed'],
  for_each: [],
  posture: 'Reactive',
  threshold: 1,
  within: 0,
  ...extra,
});

describe('describeTrigger', () => {
  it('summarises event and composite triggers', () => {
    expect(describeTrigger(event())).toBe('reactive acme.deploy.failed ≥1');
    expect(describeTrigger(event({ posture: 'Proactive', expect: [], within: 300, for_each: ['prefect.resource.id'] }))).toBe('proactive * <1 in 5m per prefect.resource.id');
    expect(describeTrigger({ type: 'compound', id: 'c', require: 'all', within: 60, triggers: [event(), event({ expect: ['b'] })] })).toBe(
      'compound(all)[reactive acme.deploy.failed ≥1; reactive b ≥1] in 1m',
    );
    expect(describeTrigger({ type: 'sequence', id: 's', within: null, triggers: [event()] })).toBe('sequence[reactive acme.deploy.failed ≥1]');
  });
});

describe('tables', () => {
  it('aligns automations', () => {
    const automation: Automation = {
      id: 'a1',
      created: 'c',
      updated: 'u',
      name: 'deploys',
      description: '',
      enabled: false,
      tags: ['prod'],
      trigger: event(),
      actions: [{ type: 'do-nothing' }],
      actions_on_trigger: [],
      actions_on_resolve: [{ type: 'emit-event', event: '{}' }],
    };
    expect(formatAutomationTable([automation])).toBe(
      'ID  NAME     ENABLED  TRIGGER                         ACTIONS                TAGS\na1  deploys  no       reactive acme.deploy.failed ≥1  do-nothing,emit-event  prod\n',
    );
  });

  it('shows connection secrets by name only', () => {
    const text = formatConnectionTable([{ id: 'c1', name: 'ops', kind: 'slack', settings: {}, secrets: ['url'], created: 'c', updated: 'u' }]);
    expect(text).toBe('ID  NAME  KIND   SETTINGS  SECRETS\nc1  ops   slack  {}        url\n');
  });
});

describe('formatTrace', () => {
  it('prints entries oldest first, then totals', () => {
    const text = formatTrace({
      automation_id: 'a',
      capacity: 500,
      totals: { matched: 1, fired: 1 },
      entries: [
        { at: '2026-11-22T10:00:00.000000Z', kind: 'matched', detail: { event_id: 'e1', bucket: ['x'] } },
        { at: '2026-11-22T10:00:01.000000Z', kind: 'fired', detail: {} },
      ],
    });
    expect(text).toBe('2026-11-22T10:00:00.000000Z  matched  event_id=e1 bucket=["x"]\n2026-11-22T10:00:01.000000Z  fired\ntotals: matched=1 fired=1\n');
  });

  it('says so when there is nothing yet', () => {
    expect(formatTrace({ automation_id: 'a', capacity: 500, totals: {}, entries: [] })).toMatch(/^No trace entries yet/);
  });
});
