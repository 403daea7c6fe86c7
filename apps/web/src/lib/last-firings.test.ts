import { describe, expect, it } from 'vitest';
import type { ReceivedEvent } from '@herald/sdk/browser';
import { lastFiringByAutomation, lastFiringsFilter } from './last-firings.js';

const fired = (automationId: string, occurred: string, event = 'herald.automation.triggered'): ReceivedEvent => ({
  id: `${automationId}-${occurred}`,
  occurred,
  received: occurred,
  event,
  resource: { 'prefect.resource.id': `herald.automation.${automationId}` },
  related: [],
  payload: {},
  follows: null,
});

describe('lastFiringsFilter', () => {
  it('asks for the newest triggered event of each automation resource in one query', () => {
    const filter = lastFiringsFilter(['a', 'b'], Date.parse('2026-11-22T12:00:00Z'));
    expect(filter.resource).toEqual({ id: ['herald.automation.a', 'herald.automation.b'], distinct: true });
    expect(filter.event).toEqual({ name: ['herald.automation.triggered'] });
    expect(filter.occurred?.until).toBe('2026-11-22T12:00:00.000Z');
    expect(filter.occurred?.since).toBe('2025-11-22T12:00:00.000Z');
  });
});

describe('lastFiringByAutomation', () => {
  it('keeps the newest firing per automation and ignores other events', () => {
    const last = lastFiringByAutomation([
      fired('a', '2026-11-22T10:00:00.000000Z'),
      fired('a', '2026-11-22T11:00:00.000000Z'),
      fired('b', '2026-11-22T09:00:00.000000Z'),
      fired('b', '2026-11-22T12:00:00.000000Z', 'herald.automation.resolved'),
      { ...fired('c', '2026-11-22T12:00:00.000000Z'), resource: { 'prefect.resource.id': 'acme.model.c' } },
    ]);
    expect(Object.fromEntries(last)).toEqual({ a: '2026-11-22T11:00:00.000000Z', b: '2026-11-22T09:00:00.000000Z' });
  });
});
