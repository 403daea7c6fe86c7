import { describe, expect, it } from 'vitest';
import { createBusEventDecoder } from './live-subscription.js';

const json = (id: string) =>
  JSON.stringify({
    occurred: '2026-12-08T00:00:00.000000Z',
    event: 'a.b',
    resource: { 'prefect.resource.id': id },
    related: [],
    payload: {},
    id,
    follows: null,
    received: '2026-12-08T00:00:00.000000Z',
  });

describe('createBusEventDecoder', () => {
  it('parses a publication once for every subscriber, and forgets it once the publication is over', async () => {
    const decode = createBusEventDecoder();
    const events = [
      { seq: 1, json: json('a') },
      { seq: 2, json: '{not json' },
    ];
    const first = decode(events);
    expect(first.map((d) => d?.event.resource['prefect.resource.id'] ?? null)).toEqual(['a', null]);
    expect(first[0]?.occurred).toBe(Date.UTC(2026, 11, 8) * 1000);
    // A second subscriber in the same publication gets the same parsed objects.
    expect(decode(events)).toBe(first);

    const next = [{ seq: 3, json: json('b') }];
    const before = decode(next);
    expect(before[0]?.event.id).toBe('b');

    await Promise.resolve();
    // The publication is over: nothing of it is kept, so the same array is parsed anew.
    const after = decode(next);
    expect(after).not.toBe(before);
    expect(after).toEqual(before);
  });
});
