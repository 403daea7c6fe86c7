import { formatDateTime, MICROS, parseEventFilter, toMicros, type Event } from '@herald/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempPostgresDatabase, type TempPostgres } from '../../test-support/temp-resources.js';
import type { EventRecord, Storage } from '../ports.js';
import { openPostgresStorage } from './open-postgres-storage.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { PostgresDatabase } from './postgres-database.js';
import { toColumns } from './event-rows.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { dayBounds, dayOf, DEFAULT_PARTITION_WINDOW, partitionName, PostgresPartitions } from './postgres-partitions.js';

const NOW = toMicros(Date.now());

function record(id: string, overrides: Partial<Event> = {}, received = NOW): EventRecord {
  const event: Event = {
    occurred: formatDateTime(NOW - MICROS.minute),
    event: 'acme.model.refreshed',
    resource: { 'prefect.resource.id': 'acme.model.churn', 'prefect.resource.name': 'churn' },
    related: [{ 'prefect.resource.id': 'acme.team.data', 'prefect.resource.role': 'owner', team: 'data' }],
    payload: { rows: 1200 },
    id,
    follows: null,
    ...overrides,
  };
  const r = normalizeEvent(event, received, { maxEventBytes: 1_500_000, path: [] });
  if (!r.ok) throw new Error('bad fixture');
  return r.record;
}

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Every event of the last day. */
function filter() {
  const parsed = parseEventFilter(
    { occurred: { since: formatDateTime(NOW - MICROS.day), until: formatDateTime(NOW) } },
    { now: NOW, missingUntil: 'now' },
  );
  if (!parsed.ok) throw new Error('bad filter');
  return parsed.filter;
}

describe('openPostgresStorage: migrations', () => {
  let temp: TempPostgres;
  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
  });
  afterAll(async () => {
    await temp.drop();
  });

  it('migrates once when several replicas start together, and is idempotent afterwards', async () => {
    const opened = await Promise.all([1, 2, 3].map(() => openPostgresStorage({ url: temp.url, maxConnections: 2 })));
    const db = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
    try {
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      expect(await migratePostgres(db)).toEqual([]);
      const tables = await db.query<{ name: string }>(
        "SELECT relname AS name FROM pg_class WHERE relname IN ('events', 'event_resources', 'api_keys', 'events_default', 'event_resources_default') ORDER BY 1",
      );
      expect(tables.rows.map((r) => r.name)).toEqual([
        'api_keys',
        'event_resources',
        'event_resources_default',
        'events',
        'events_default',
      ]);
    } finally {
      await db.end();
      await Promise.all(opened.map((s) => s.close()));
    }
  });

  it('applies only the migrations a database lacks, in version order', async () => {
    const db = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
    try {
      const top = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));
      const later = [
        { version: top + 2, name: 'second later', sql: 'CREATE TABLE t3 (x int REFERENCES t2(x))' },
        { version: top + 1, name: 'first later', sql: 'CREATE TABLE t2 (x int PRIMARY KEY)' },
      ];
      expect(await migratePostgres(db, [...POSTGRES_MIGRATIONS, ...later])).toEqual([top + 1, top + 2]);
      expect(await migratePostgres(db, [...POSTGRES_MIGRATIONS, ...later])).toEqual([]);
    } finally {
      await db.end();
    }
  });

  it('migration 7 adds events.follows, fills it from the stored JSON in every partition, and indexes each partition', async () => {
    const old = await createTempPostgresDatabase();
    const db = new PostgresDatabase({ url: old.url, maxConnections: 1 });
    let storage: Storage | undefined;
    try {
      const before = POSTGRES_MIGRATIONS.filter((m) => m.version < 7);
      expect(await migratePostgres(db, before)).toEqual(before.map((m) => m.version));
      // A day partition, as the store made them then, and the DEFAULT one (an event 3,000 days old).
      const today = dayOf(NOW);
      const { from, to } = dayBounds(today);
      for (const table of ['events', 'event_resources']) {
        await db.query(
          `CREATE TABLE ${partitionName(table as 'events', today)} PARTITION OF ${table} FOR VALUES FROM (${from}) TO (${to})`,
        );
      }
      const records = [
        record(uuid(1)),
        record(uuid(2), { follows: uuid(1).toUpperCase() }),
        // Characters that PostgreSQL's JSON functions refuse, and a payload key named follows.
        record(uuid(3), { follows: uuid(1), payload: { text: 'nul \u0000 lone \ud800', follows: uuid(9) } }),
        record(uuid(4), { payload: { follows: uuid(1) } }),
        record(uuid(5), { follows: uuid(1), occurred: formatDateTime(NOW - 3000 * MICROS.day) }),
      ];
      const { events, resources } = toColumns(records, [1, 2, 3, 4, 5]);
      await db.query(
        `INSERT INTO events (seq, id, occurred, received, event, resource_id, json)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[])`,
        [events.seq, events.id, events.occurred, events.received, events.event, events.resourceId, events.json],
      );
      await db.query(
        `INSERT INTO event_resources (seq, position, resource_id, role, occurred, labels)
         SELECT s, p, r, ro, o, l::jsonb FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS u(s, p, r, ro, o, l)`,
        [resources.seq, resources.position, resources.resourceId, resources.role, resources.occurred, resources.labels],
      );
      await db.query("SELECT setval('events_seq', 5)");

      expect(await migratePostgres(db, POSTGRES_MIGRATIONS.filter((m) => m.version <= 7))).toEqual([7]);
      const { rows } = await db.query<{ seq: number; follows: string | null; part: string }>(
        'SELECT seq, follows::text AS follows, tableoid::regclass::text AS part FROM events ORDER BY seq',
      );
      expect(rows).toEqual([
        { seq: 1, follows: null, part: partitionName('events', today) },
        { seq: 2, follows: uuid(1), part: partitionName('events', today) },
        { seq: 3, follows: uuid(1), part: partitionName('events', today) },
        { seq: 4, follows: null, part: partitionName('events', today) },
        { seq: 5, follows: uuid(1), part: 'events_default' },
      ]);
      const indexed = async () =>
        (
          await db.query<{ tablename: string }>(
            "SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%(follows, occurred, seq) WHERE (follows IS NOT NULL)' ORDER BY tablename",
          )
        ).rows.map((r) => r.tablename);
      expect(await indexed()).toEqual(['events', 'events_default', partitionName('events', today)]);

      // The store reads the backfilled rows, and writes the column into a partition made after the migration.
      storage = await openPostgresStorage({ url: old.url });
      const followers = async (since: number) => {
        const parsed = parseEventFilter(
          { follows: { id: [uuid(1)] }, occurred: { since: formatDateTime(since), until: formatDateTime(NOW + 2 * MICROS.day) } },
          { now: NOW, missingUntil: 'now' },
        );
        if (!parsed.ok) throw new Error('bad filter');
        return (await storage!.events.page({ filter: parsed.filter, limit: 10 })).map((e) => e.seq);
      };
      expect(await followers(NOW - 3001 * MICROS.day)).toEqual([3, 2, 5]);
      const { seqs } = await storage.events.append([record(uuid(6), { follows: uuid(1), occurred: formatDateTime(NOW + MICROS.day) })]);
      expect(await followers(NOW - MICROS.day)).toEqual([seqs[0], 3, 2]);
      expect(await indexed()).toContain(partitionName('events', today + 1));
    } finally {
      await storage?.close();
      await db.end();
      await old.drop();
    }
  });

  it('refuses an unreachable server with STORAGE_UNAVAILABLE', async () => {
    await expect(openPostgresStorage({ url: 'postgres://postgres@127.0.0.1:1/none' })).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      status: 503,
    });
  });
});

describe('PostgresEventStore: append', () => {
  let temp: TempPostgres;
  let storage: Storage;
  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
    storage = await openPostgresStorage({ url: temp.url });
  });
  afterAll(async () => {
    await storage.close();
    await temp.drop();
  });

  it('reports inserted, duplicate and conflict; the first write wins, within a batch and across batches', async () => {
    const first = await storage.events.append([record(uuid(1)), record(uuid(2)), record(uuid(1)), record(uuid(2), { event: 'other' })]);
    expect(first.results).toEqual(['inserted', 'inserted', 'duplicate', 'conflict']);
    expect(first.seqs[0]).toBeGreaterThan(0);
    expect(first.seqs[1]).toBe(first.seqs[0]! + 1);
    expect(first.seqs.slice(2)).toEqual([0, 0]);
    expect(first.lastSeq).toBe(first.seqs[1]);

    // A resend is stamped with a new `received`: still a duplicate. Upper-case ids are the same id.
    const second = await storage.events.append([
      record(uuid(1).toUpperCase(), {}, NOW + 5),
      record(uuid(1), { payload: { rows: 1 } }),
      record(uuid(3)),
    ]);
    expect(second.results).toEqual(['duplicate', 'conflict', 'inserted']);
    expect(second.lastSeq).toBe(first.lastSeq + 1);

    const stored = await storage.events.get(uuid(2));
    expect(stored?.json).toBe(record(uuid(2)).json);
    expect(stored?.seq).toBe(first.seqs[1]);
    expect(await storage.events.get('not-a-uuid')).toBeNull();

    const nothingNew = await storage.events.append([record(uuid(3))]);
    expect(nothingNew).toEqual({ results: ['duplicate'], seqs: [0], lastSeq: second.lastSeq });
    expect(await storage.events.lastSeq()).toBe(second.lastSeq);
  });

  it('stores characters PostgreSQL text refuses, and returns the JSON unchanged', async () => {
    const r = record(uuid(10), {
      event: 'acme.\u0000nul',
      resource: { 'prefect.resource.id': 'acme.\ud800', 'label\u0000': 'v\u0000' },
      payload: { text: '\u0000' },
    });
    expect((await storage.events.append([r])).results).toEqual(['inserted']);
    expect((await storage.events.get(uuid(10)))?.json).toBe(r.json);
  });

  it('writes one event_resources row per resource, position 0 for the primary', async () => {
    await storage.events.append([
      record(uuid(20), {
        related: [
          { 'prefect.resource.id': 'a', 'prefect.resource.role': 'x' },
          { 'prefect.resource.id': 'b', 'prefect.resource.role': 'y', k: 'v' },
        ],
      }),
    ]);
    const db = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
    try {
      const { rows } = await db.query(
        'SELECT r.position, r.resource_id, r.role, r.labels FROM event_resources r JOIN events e ON e.seq = r.seq WHERE e.id = $1 ORDER BY r.position',
        [uuid(20)],
      );
      expect(rows).toEqual([
        { position: 0, resource_id: 'acme.model.churn', role: null, labels: { 'prefect.resource.name': 'churn' } },
        { position: 1, resource_id: 'a', role: 'x', labels: null },
        { position: 2, resource_id: 'b', role: 'y', labels: { k: 'v' } },
      ]);
    } finally {
      await db.end();
    }
  });

  it('reads the log in seq order from a checkpoint', async () => {
    const before = await storage.events.lastSeq();
    const { seqs } = await storage.events.append([30, 31, 32].map((n) => record(uuid(n))));
    const log = await storage.events.readLog(before, 2);
    expect(log.map((l) => l.seq)).toEqual(seqs.slice(0, 2));
    expect(log[0]!.json).toBe(record(uuid(30)).json);
    expect(await storage.events.readLog(seqs[2]!, 10)).toEqual([]);
  });

  it('reports its size in bytes', async () => {
    expect(await storage.events.sizeBytes()).toBeGreaterThan(0);
  });
});

describe('PostgresEventStore: a pool of its own for filter reads', () => {
  let temp: TempPostgres;
  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
  });
  afterAll(async () => {
    await temp.drop();
  });

  it('appends and looks up by id while every connection of the filter reads is taken', async () => {
    const db = new PostgresDatabase({ url: temp.url, maxConnections: 2 });
    const filterDb = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
    await migratePostgres(db);
    const partitions = new PostgresPartitions(db, { window: DEFAULT_PARTITION_WINDOW, now: () => NOW });
    await partitions.load();
    const store = new PostgresEventStore(db, partitions, filterDb);
    try {
      // As a slow search would: the filter pool's only connection is busy.
      const held = await filterDb.pool.connect();
      let paged = false;
      const page = store.page({ filter: filter(), limit: 10 }).then((events) => {
        paged = true;
        return events;
      });
      expect((await store.append([record(uuid(1))])).results).toEqual(['inserted']);
      expect((await store.get(uuid(1)))?.json).toBe(record(uuid(1)).json);
      expect(await store.readLog(0, 10)).toHaveLength(1);
      expect(paged).toBe(false);
      held.release();
      expect((await page).map((e) => e.json)).toEqual([record(uuid(1)).json]);
    } finally {
      await store.close();
    }
  });
});

describe('PostgresEventStore: the time limit of filter reads', () => {
  let temp: TempPostgres;
  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
  });
  afterAll(async () => {
    await temp.drop();
  });

  it('fails a read that runs past it with QUERY_TIMEOUT, and the same read answers once it can run', async () => {
    const storage = await openPostgresStorage({ url: temp.url, queryTimeoutMs: 200 });
    const locker = new pg.Client({ connectionString: temp.url });
    await locker.connect();
    try {
      await storage.events.append([record(uuid(1))]);
      // The read waits for this lock for as long as it is held: past its time limit.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      await expect(storage.events.count(filter())).rejects.toMatchObject({ code: 'QUERY_TIMEOUT', status: 422, details: { limit_ms: 200 } });
      // A lookup by id is not a filter read: it has no limit. Past the filter reads' limit, it still waits.
      let settled = false;
      const lookup = storage.events.get(uuid(1)).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(settled).toBe(false);
      await locker.query('ROLLBACK');
      expect((await lookup)?.json).toBe(record(uuid(1)).json);
      expect(await storage.events.count(filter())).toBe(1);
    } finally {
      await locker.end();
      await storage.close();
    }
  });
});

describe('PostgresEventStore: two replicas on one database', () => {
  let temp: TempPostgres;
  let a: Storage;
  let b: Storage;
  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
    [a, b] = await Promise.all([openPostgresStorage({ url: temp.url }), openPostgresStorage({ url: temp.url })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await temp.drop();
  });

  it('inserts each id exactly once when both append the same ids at the same time', async () => {
    const rounds = 20;
    const perBatch = 50;
    const batches = Array.from({ length: rounds }, (_, round) =>
      [0, 7].map((offset) => Array.from({ length: perBatch }, (_, i) => record(uuid(1000 + round * 25 + ((i + offset) % perBatch))))),
    );
    const outcomes = await Promise.all(batches.map(([x, y]) => Promise.all([a.events.append(x!), b.events.append(y!)])));
    const insertedById = new Map<string, number>();
    outcomes.forEach((pair, round) =>
      pair.forEach((outcome, side) =>
        outcome.results.forEach((result, i) => {
          expect(['inserted', 'duplicate']).toContain(result);
          const id = batches[round]![side]![i]!.event.id;
          if (result === 'inserted') insertedById.set(id, (insertedById.get(id) ?? 0) + 1);
        }),
      ),
    );
    const distinctIds = rounds * 25 + perBatch - 25;
    const db = new pg.Client({ connectionString: temp.url });
    await db.connect();
    try {
      const events = await db.query(
        'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, count(DISTINCT seq)::int AS seqs FROM events',
      );
      expect(events.rows[0]).toEqual({ n: distinctIds, ids: distinctIds, seqs: distinctIds });
      const resources = await db.query('SELECT count(*)::int AS n FROM event_resources');
      expect(resources.rows[0].n).toBe(distinctIds * 2);
    } finally {
      await db.end();
    }
    expect(insertedById.size).toBe(distinctIds);
    expect(Math.max(...insertedById.values())).toBe(1);
  });
});

describe('PostgresApiKeyStore', () => {
  let temp: TempPostgres;
  let storage: Storage;
  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
    storage = await openPostgresStorage({ url: temp.url });
  });
  afterAll(async () => {
    await storage.close();
    await temp.drop();
  });

  it('stores, finds, touches and revokes keys', async () => {
    const key = { id: 'k1', name: 'ci', prefix: 'hk_abcd', hash: 'h1', created: '2026-01-01T00:00:00.000Z', lastUsed: null, revoked: null };
    await storage.keys.insertKey(key);
    await storage.keys.insertKey({ ...key, id: 'k2', hash: 'h2', created: '2026-01-02T00:00:00.000Z' });
    expect(await storage.keys.findKeyByHash('h1')).toEqual(key);
    expect(await storage.keys.findKeyByHash('nope')).toBeNull();
    await storage.keys.touchKey('k1', '2026-02-01T00:00:00.000Z');
    expect(await storage.keys.revokeKey('k1', '2026-03-01T00:00:00.000Z')).toBe(true);
    expect(await storage.keys.revokeKey('k1', '2026-04-01T00:00:00.000Z')).toBe(false);
    expect(await storage.keys.revokeKey('missing', '2026-04-01T00:00:00.000Z')).toBe(false);
    const list = await storage.keys.listKeys();
    expect(list.map((k) => k.id)).toEqual(['k1', 'k2']);
    expect(list[0]).toMatchObject({ lastUsed: '2026-02-01T00:00:00.000Z', revoked: '2026-03-01T00:00:00.000Z' });
    await expect(storage.keys.insertKey(key)).rejects.toMatchObject({ code: '23505' });
  });
});
