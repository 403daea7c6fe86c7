import { formatDateTime, MICROS, parseEventFilter, toMicros, type Event, type NormalizedEventFilter } from '@herald/core';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempPostgresDatabase, type TempPostgres } from '../../test-support/temp-resources.js';
import type { EventRecord, Storage } from '../ports.js';
import { openPostgresStorage } from './open-postgres-storage.js';
import { PostgresDatabase } from './postgres-database.js';
import { dayOf, dayOfPartitionName, listDayPartitions, partitionName } from './postgres-partitions.js';

const TODAY = dayOf(toMicros(Date.now()));
const at = (day: number, hours: number) => (TODAY + day) * MICROS.day + hours * MICROS.hour;
let counter = 0;

function record(occurred: number): EventRecord {
  return recordFollowing(occurred, null);
}

function recordFollowing(occurred: number, follows: string | null): EventRecord {
  counter++;
  const event: Event = {
    occurred: formatDateTime(occurred),
    event: 'acme.tick',
    resource: { 'prefect.resource.id': `acme.r.${counter % 3}` },
    related: [{ 'prefect.resource.id': 'acme.owner', 'prefect.resource.role': 'owner' }],
    payload: { n: counter },
    id: `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`,
    follows,
  };
  const r = normalizeEvent(event, occurred, { maxEventBytes: 1_500_000, path: [] });
  if (!r.ok) throw new Error('bad fixture');
  return r.record;
}

function everything(now: number): NormalizedEventFilter {
  const r = parseEventFilter(
    { occurred: { since: '1900-01-01T00:00:00Z', until: '2200-01-01T00:00:00Z' }, order: 'ASC' },
    { now, missingUntil: 'now' },
  );
  if (!r.ok) throw new Error('bad filter');
  return r.filter;
}

describe('PostgreSQL day partitions and retention', () => {
  let temp: TempPostgres;
  let db: PostgresDatabase;
  let clock: number;
  let storage: Storage;
  const open = () => openPostgresStorage({ url: temp.url, partitionWindow: { pastDays: 3, futureDays: 1 }, now: () => clock });

  /** Where each event's row lives: `events_p…` or `events_default`, by payload counter. */
  async function placement(): Promise<Record<string, string>> {
    const { rows } = await db.query<{ table: string; occurred: number }>(
      'SELECT tableoid::regclass::text AS table, occurred FROM events ORDER BY occurred',
    );
    return Object.fromEntries(rows.map((r) => [formatDateTime(r.occurred), r.table]));
  }

  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
    db = new PostgresDatabase({ url: temp.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await db.end();
    await temp.drop();
  });
  beforeEach(async () => {
    clock = at(0, 12);
    storage = await open();
  });
  afterEach(async () => {
    await storage.close();
    await db.query('TRUNCATE events, event_resources');
    for (const day of await listDayPartitions(db.pool))
      await db.query(`DROP TABLE ${partitionName('events', day)}, ${partitionName('event_resources', day)}`);
  });

  it('creates one partition per day in the window, and sends far days to the DEFAULT partition', async () => {
    const times = [at(0, 1), at(-1, 23), at(-3, 0), at(-10, 5), at(5, 5)];
    expect((await storage.events.append(times.map(record))).results).toEqual(times.map(() => 'inserted'));
    expect(await listDayPartitions(db.pool)).toEqual([TODAY - 3, TODAY - 1, TODAY]);
    expect(await placement()).toEqual({
      [formatDateTime(at(-10, 5))]: 'events_default',
      [formatDateTime(at(-3, 0))]: partitionName('events', TODAY - 3),
      [formatDateTime(at(-1, 23))]: partitionName('events', TODAY - 1),
      [formatDateTime(at(0, 1))]: partitionName('events', TODAY),
      [formatDateTime(at(5, 5))]: 'events_default',
    });
    const page = await storage.events.page({ filter: everything(clock), limit: 10 });
    expect(page.map((e) => e.occurred)).toEqual([...times].sort((a, b) => a - b));
  });

  it('moves rows out of the DEFAULT partition when their day comes into the window', async () => {
    const leader = '00000000-0000-4000-8000-00000000ffff';
    await storage.events.append([recordFollowing(at(5, 5), leader), record(at(-10, 5))]);
    clock = at(5, 0);
    const later = await open();
    try {
      await later.events.append([record(at(5, 6))]);
      const day = partitionName('events', TODAY + 5);
      expect(await placement()).toEqual({
        [formatDateTime(at(-10, 5))]: 'events_default',
        [formatDateTime(at(5, 5))]: day,
        [formatDateTime(at(5, 6))]: day,
      });
      const resources = await db.query<{ table: string; n: number }>(
        'SELECT tableoid::regclass::text AS table, count(*)::int AS n FROM event_resources GROUP BY 1 ORDER BY 1',
      );
      expect(resources.rows).toEqual([
        { table: 'event_resources_default', n: 2 },
        { table: partitionName('event_resources', TODAY + 5), n: 4 },
      ]);
      expect(await later.events.count(everything(clock))).toBe(3);
      // The moved row keeps its follows, and the attached partition got the follows index.
      const followers = parseEventFilter(
        { occurred: { since: '1900-01-01T00:00:00Z', until: '2200-01-01T00:00:00Z' }, follows: { id: [leader] } },
        { now: clock, missingUntil: 'now' },
      );
      if (!followers.ok) throw new Error('bad filter');
      expect((await later.events.page({ filter: followers.filter, limit: 5 })).map((e) => e.occurred)).toEqual([at(5, 5)]);
      const indexes = await db.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE $2', [
        day,
        '%(follows, occurred, seq) WHERE (follows IS NOT NULL)',
      ]);
      expect(indexes.rows).toHaveLength(1);
    } finally {
      await later.close();
    }
  });

  it('creates a new day once when two replicas race for it', async () => {
    const other = await open();
    try {
      const outcomes = await Promise.all([
        storage.events.append([record(at(1, 1))]),
        other.events.append([record(at(1, 2))]),
        other.events.append([record(at(-2, 2))]),
      ]);
      expect(outcomes.map((o) => o.results)).toEqual([['inserted'], ['inserted'], ['inserted']]);
      expect(await listDayPartitions(db.pool)).toEqual([TODAY - 2, TODAY + 1]);
    } finally {
      await other.close();
    }
  });

  it('drops whole days below the cutoff, deletes rows around it, and counts both', async () => {
    const old = [at(-3, 1), at(-3, 2), at(-3, 3)];
    const straddling = [at(-1, 1), at(-1, 12)];
    await storage.events.append([...old, ...straddling, at(-10, 0), at(0, 1)].map(record));
    const cutoff = at(-1, 6);
    expect(await storage.events.purgeBefore(cutoff)).toBe(5);
    expect(await listDayPartitions(db.pool)).toEqual([TODAY - 1, TODAY]);
    expect(Object.keys(await placement())).toEqual([formatDateTime(at(-1, 12)), formatDateTime(at(0, 1))]);
    const orphans = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM event_resources r WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = r.seq)',
    );
    expect(orphans.rows[0]!.n).toBe(0);
    expect(await storage.events.purgeBefore(cutoff)).toBe(0);

    // The dropped day is forgotten: an event for it recreates its partition.
    expect((await storage.events.append([record(at(-3, 4))])).results).toEqual(['inserted']);
    expect(await listDayPartitions(db.pool)).toEqual([TODAY - 3, TODAY - 1, TODAY]);
  });

  it('deletes a large straddling day in several batches', async () => {
    const times = Array.from({ length: 6_100 }, (_, i) => at(0, 0) + i * 1000);
    for (let i = 0; i < times.length; i += 1000) await storage.events.append(times.slice(i, i + 1000).map(record));
    expect(await storage.events.purgeBefore(at(0, 0) + 6_050 * 1000)).toBe(6_050);
    expect(await storage.events.count(everything(clock))).toBe(50);
  });

  it('does not stall appends or retention behind a long query holding the parent table', async () => {
    await storage.events.append([record(at(-3, 1))]);
    const reader = new pg.Client({ connectionString: temp.url });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM events');
      const started = Date.now();
      expect((await storage.events.append([record(at(1, 1))])).results).toEqual(['inserted']);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await placement()).toMatchObject({ [formatDateTime(at(1, 1))]: 'events_default' });
      expect(await storage.events.purgeBefore(at(-2, 0))).toBe(0);
      expect(await listDayPartitions(db.pool)).toEqual([TODAY - 3]);
    } finally {
      await reader.query('COMMIT');
      await reader.end();
    }
    expect(await storage.events.purgeBefore(at(-2, 0))).toBe(1);
    expect(await listDayPartitions(db.pool)).toEqual([]);
  });

  it('names partitions by UTC day and reads the names back', () => {
    const day = dayOf(Date.UTC(2026, 10, 22, 23, 59) * 1000);
    expect(partitionName('event_resources', day)).toBe('event_resources_p20261122');
    expect(dayOfPartitionName('events_p20261122')).toBe(day);
    expect(dayOfPartitionName('events_default')).toBeNull();
    expect(dayOf(-1)).toBe(-1);
  });
});
