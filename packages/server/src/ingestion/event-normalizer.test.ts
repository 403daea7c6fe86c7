import { parseDateTime, type Event } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { normalizeEvent } from './event-normalizer.js';

const event = {
  occurred: '2026-11-22T12:00:00.5+02:00',
  event: 'acme.model.refreshed',
  resource: { 'prefect.resource.id': 'acme.model.churn' },
  id: '0F6F2D3E-1D7B-4A5E-9A63-2B8F7C1E9A10',
  received: 'client-supplied',
  extra: true,
} as unknown as Event;
const received = parseDateTime('2026-11-22T10:00:01Z')!;

describe('normalizeEvent', () => {
  it('sets received, canonicalises ids and times, fills defaults and drops unknown keys', () => {
    const r = normalizeEvent(event, received, { maxEventBytes: 10_000, path: [0] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record.json).toBe(
      '{"occurred":"2026-11-22T10:00:00.500000Z","event":"acme.model.refreshed","resource":{"prefect.resource.id":"acme.model.churn"},' +
        '"related":[],"payload":{},"id":"0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10","follows":null,"received":"2026-11-22T10:00:01Z"}',
    );
    expect(r.record.occurred).toBe(parseDateTime('2026-11-22T10:00:00.5Z'));
    expect(r.record.received).toBe(received);
  });

  it('refuses an event whose received JSON exceeds the size limit, naming it', () => {
    const big = { ...event, payload: { blob: 'é'.repeat(600) } } as Event;
    const r = normalizeEvent(big, received, { maxEventBytes: 1000, path: [4] });
    expect(r.ok ? null : [r.issue.pointer, r.issue.type]).toEqual(['/4', 'event_too_large']);
  });
});
