import fc from 'fast-check';
import { formatDateTime, MICROS, parseDateTime, parseEventFilter, type Event } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import type { Storage } from '../ports.js';
import { openSqliteStorage } from './open-sqlite-storage.js';
import { floorDiv } from './sqlite-time-buckets.js';

const T0 = parseDateTime('2026-03-02T00:00:00Z')!;

/** floor(a / d) computed exactly with BigInt. */
function exactFloorDiv(a: number, d: number): number {
  const q = BigInt(a) / BigInt(d);
  return Number(BigInt(a) % BigInt(d) < 0n ? q - 1n : q);
}

describe('floorDiv', () => {
  it('is floor(a / d) exactly, negative numerators included', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.integer({ min: 1, max: 2 ** 40 }), (a, d) => floorDiv(a, d) === exactFloorDiv(a, d)),
      { numRuns: 2000 },
    );
    expect(floorDiv(-1, MICROS.day)).toBe(-1);
    expect(floorDiv(-MICROS.day, MICROS.day)).toBe(-1);
  });
});

describe('SqliteEventStore.countByTime', () => {
  let dir: TempDir;
  let storage: Storage;
  // 300 events spread over 5 hours around the pivot, some on exact bucket edges.
  const occurred = Array.from({ length: 300 }, (_, i) => T0 - 2 * MICROS.hour + ((i * 7_919_113_117) % (5 * MICROS.hour)) - (i % 3));
  beforeAll(async () => {
    dir = createTempDir('herald-sqlite-buckets-');
    storage = await openSqliteStorage({ dataDir: dir.path });
    const records = occurred.map((us, i) => {
      const event: Event = {
        occurred: formatDateTime(us),
        event: i % 2 === 0 ? 'acme.even' : 'acme.odd',
        resource: { 'prefect.resource.id': `acme.thing.${i}` },
        related: [],
        payload: {},
        id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
        follows: null,
      };
      const r = normalizeEvent(event, T0, { maxEventBytes: 1_500_000, path: [] });
      if (!r.ok) throw new Error('bad fixture');
      return r.record;
    });
    await storage.events.append(records);
  });
  afterAll(async () => {
    await storage.close();
    dir.remove();
  });

  function expected(pivot: number, delta: number, keep: (i: number) => boolean) {
    const counts = new Map<number, number>();
    occurred.forEach((us, i) => {
      if (!keep(i)) return;
      const bucket = exactFloorDiv(us - pivot, delta);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
    });
    return [...counts].sort(([a], [b]) => a - b).map(([bucket, count]) => ({ bucket, count }));
  }

  const window = { since: formatDateTime(T0 - 3 * MICROS.hour), until: formatDateTime(T0 + 3 * MICROS.hour) };
  const filter = (wire: object = {}) => {
    const parsed = parseEventFilter({ occurred: window, ...wire }, { now: T0, missingUntil: 'now' });
    if (!parsed.ok) throw new Error('bad filter');
    return parsed.filter;
  };

  // 7 minutes: 52 buckets, one count each; 1 second: 21,600 buckets, one GROUP BY.
  for (const delta of [7 * MICROS.minute, MICROS.second, MICROS.hour + 1]) {
    it(`matches floor((occurred - pivot) / delta) for delta ${delta} µs`, async () => {
      const pivot = T0 + 12_345;
      expect(await storage.events.countByTime(filter(), { pivot, delta })).toEqual(expected(pivot, delta, () => true));
      expect(await storage.events.countByTime(filter({ event: { name: ['acme.odd'] } }), { pivot, delta })).toEqual(expected(pivot, delta, (i) => i % 2 === 1));
    });
  }

  it('refuses a grid that is not whole microseconds', async () => {
    await expect(storage.events.countByTime(filter(), { pivot: T0, delta: 0.5 })).rejects.toMatchObject({ code: 'QUERY_INVALID' });
    await expect(storage.events.countByTime(filter(), { pivot: T0, delta: 0 })).rejects.toMatchObject({ code: 'QUERY_INVALID' });
  });
});
