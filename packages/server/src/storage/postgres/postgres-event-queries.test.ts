import { formatDateTime, MICROS, parseEventFilter, type Event, type NormalizedEventFilter, type Resource } from '@herald/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempPostgresDatabase, type TempPostgres } from '../../test-support/temp-resources.js';
import type { EventRecord, Storage } from '../ports.js';
import { openPostgresStorage } from './open-postgres-storage.js';

/*
 * The parts of the read side that are PostgreSQL's own: bucket arithmetic, `distinct` with the keyset
 * cursor, and the resource label. The contract suite covers the common behaviour on both stores.
 */

const PIVOT = Date.UTC(2024, 3, 1) * 1000;
let counter = 0;

function record(occurred: number, resource: Resource, event = 'acme.tick'): EventRecord {
  counter++;
  const input: Event = {
    occurred: formatDateTime(occurred),
    event,
    resource,
    related: [],
    payload: {},
    id: `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`,
    follows: null,
  };
  const r = normalizeEvent(input, occurred, { maxEventBytes: 1_500_000, path: [] });
  if (!r.ok) throw new Error('bad fixture');
  return r.record;
}

function filter(input: Record<string, unknown> = {}): NormalizedEventFilter {
  const r = parseEventFilter(
    { occurred: { since: '1960-01-01T00:00:00Z', until: '2100-01-01T00:00:00Z' }, ...input },
    { now: PIVOT, missingUntil: 'now' },
  );
  if (!r.ok) throw new Error('bad filter');
  return r.filter;
}

/** floor((occurred - pivot) / delta), exactly, with delta as the decimal PostgreSQL receives. */
function exactBucket(occurred: number, pivot: number, delta: number): number {
  const [whole = '0', fraction = ''] = String(delta).split('.');
  const scale = 10n ** BigInt(fraction.length);
  const numerator = (BigInt(occurred) - BigInt(pivot)) * scale;
  const denominator = BigInt(whole + fraction);
  const q = numerator / denominator;
  return Number(numerator % denominator < 0n ? q - 1n : q);
}

describe('PostgreSQL reads', () => {
  let temp: TempPostgres;
  let storage: Storage;
  const times: number[] = [];

  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
    storage = await openPostgresStorage({ url: temp.url, now: () => PIVOT });
    const offsets = [-3 * MICROS.day - 1, -MICROS.day, -1, 0, 1, MICROS.day - 1, MICROS.day, 2 * MICROS.day + 12_345, 9 * MICROS.week];
    for (const o of offsets) times.push(PIVOT + o);
    // Before 1970 too: negative µs.
    times.push(Date.UTC(1969, 11, 31, 23, 59, 59) * 1000 + 1);
    await storage.events.append(times.map((t, i) => record(t, { 'prefect.resource.id': `acme.r.${i % 3}` })));
  });
  afterAll(async () => {
    await storage.close();
    await temp.drop();
  });

  it('buckets by floor((occurred - pivot) / delta) for integer widths, negative offsets included', async () => {
    for (const delta of [MICROS.day, MICROS.week, 7 * MICROS.hour, 1]) {
      const expected = new Map<number, number>();
      for (const t of times) expected.set(exactBucket(t, PIVOT, delta), (expected.get(exactBucket(t, PIVOT, delta)) ?? 0) + 1);
      const rows = await storage.events.countByTime(filter(), { pivot: PIVOT, delta });
      expect(rows).toEqual([...expected.entries()].sort(([a], [b]) => a - b).map(([bucket, count]) => ({ bucket, count })));
    }
  });

  it('buckets exactly for any width, fractional ones included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 2 * MICROS.week }), fc.double({ min: 10_000, max: 1e12, noNaN: true, noDefaultInfinity: true })),
        fc.integer({ min: PIVOT - 400 * MICROS.day, max: PIVOT + 400 * MICROS.day }),
        async (delta, pivot) => {
          const rows = await storage.events.countByTime(filter(), { pivot, delta });
          const expected = new Map<number, number>();
          for (const t of times) expected.set(exactBucket(t, pivot, delta), (expected.get(exactBucket(t, pivot, delta)) ?? 0) + 1);
          expect(rows).toEqual([...expected.entries()].sort(([a], [b]) => a - b).map(([bucket, count]) => ({ bucket, count })));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('pages distinct resources with the keyset cursor: newest per resource DESC, oldest ASC', async () => {
    for (const order of ['DESC', 'ASC'] as const) {
      const f = filter({ order, resource: { distinct: true } });
      const pages = [];
      let after: { occurred: number; seq: number } | undefined;
      for (;;) {
        const page = await storage.events.page({ filter: f, limit: 2, ...(after ? { after } : {}) });
        pages.push(page.map((e) => e.occurred));
        if (page.length < 2) break;
        after = page[page.length - 1]!;
      }
      const byResource = new Map<number, number[]>();
      times.forEach((t, i) => byResource.set(i % 3, [...(byResource.get(i % 3) ?? []), t]));
      const chosen = [...byResource.values()].map((ts) => (order === 'DESC' ? Math.max(...ts) : Math.min(...ts)));
      expect(pages.flat()).toEqual(chosen.sort((a, b) => (order === 'DESC' ? b - a : a - b)));
      expect(await storage.events.count(f)).toBe(3);
    }
  });
});

describe('PostgreSQL count by resource', () => {
  let temp: TempPostgres;
  let storage: Storage;
  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
    storage = await openPostgresStorage({ url: temp.url, now: () => PIVOT });
  });
  afterAll(async () => {
    await storage.close();
    await temp.drop();
  });

  it('labels each resource from its newest event and orders by count, then label in byte order', async () => {
    await storage.events.append([
      record(PIVOT + 1, { 'prefect.resource.id': 'r1', 'prefect.resource.name': 'old' }),
      record(PIVOT + 3, { 'prefect.resource.id': 'r1', 'prefect.name': 'b' }),
      record(PIVOT + 2, { 'prefect.resource.id': 'r1', 'prefect.resource.name': 'middle' }),
      record(PIVOT + 1, { 'prefect.resource.id': 'r2', 'prefect.resource.name': 'a' }),
      record(PIVOT + 1, { 'prefect.resource.id': 'r3', 'prefect.resource.name': 'B' }),
      record(PIVOT + 5, { 'prefect.resource.id': 'r4' }),
    ]);
    const rows = await storage.events.countByResource(filter());
    expect(rows).toEqual([
      { value: 'r1', label: 'b', count: 3, first: PIVOT + 1, last: PIVOT + 3 },
      { value: 'r3', label: 'B', count: 1, first: PIVOT + 1, last: PIVOT + 1 },
      { value: 'r2', label: 'a', count: 1, first: PIVOT + 1, last: PIVOT + 1 },
      { value: 'r4', label: 'r4', count: 1, first: PIVOT + 5, last: PIVOT + 5 },
    ]);
    const events = await storage.events.countByEvent(filter());
    expect(events).toEqual([{ value: 'acme.tick', label: 'acme.tick', count: 6, first: PIVOT + 1, last: PIVOT + 5 }]);
  });
});
