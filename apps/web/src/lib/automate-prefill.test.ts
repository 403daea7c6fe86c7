import { describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '@herald/sdk/browser';
import { automationFromEvent, resourceKindPattern } from './automate-prefill.js';

const base: ReceivedEvent = {
  id: '0193a000-0000-7000-8000-000000000001',
  occurred: '2026-11-22T12:00:00.000000Z',
  received: '2026-11-22T12:00:00.000000Z',
  event: 'prefect.flow-run.Failed',
  resource: { 'prefect.resource.id': 'prefect.flow-run.abc' },
  related: [
    { 'prefect.resource.id': 'prefect.flow.f1', 'prefect.resource.role': 'flow' },
    { 'prefect.resource.id': 'prefect.tag.nightly', 'prefect.resource.role': 'tag' },
  ],
  payload: {},
  follows: null,
};

describe('automationFromEvent', () => {
  it('matches the resource kind with a wildcard and the related flow exactly', () => {
    const draft = automationFromEvent(base);
    expect(draft.trigger).toEqual({
      type: 'event',
      match: { 'prefect.resource.id': 'prefect.flow-run.*' },
      match_related: { 'prefect.resource.role': 'flow', 'prefect.resource.id': 'prefect.flow.f1' },
      after: [],
      expect: ['prefect.flow-run.Failed'],
      for_each: ['prefect.resource.id'],
      posture: 'Reactive',
      threshold: 1,
      within: 0,
    });
    expect(draft.actions).toEqual([{ type: 'do-nothing' }]);
    expect(draft.name).toBe('Flow Run Failed on any prefect.flow-run.*');
  });

  it('matches nothing related when the event has no parent resource', () => {
    const draft = automationFromEvent({ ...base, event: 'acme.model.refreshed', resource: { 'prefect.resource.id': 'acme.model.churn' }, related: [] });
    expect(draft.trigger.match).toEqual({ 'prefect.resource.id': 'acme.model.*' });
    expect(draft.trigger.match_related).toEqual({});
  });

  it('keeps short ids whole', () => {
    expect(resourceKindPattern('acme.x')).toBe('acme.x');
    expect(resourceKindPattern('a.b.c.d')).toBe('a.b.c.*');
  });
});
