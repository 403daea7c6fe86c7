import { formatDateTime, MICROS, parseDateTime, type Event, type NormalizedEventFilter } from '@herald/core';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import type { EventRecord, Storage } from '../ports.js';
import { compileFilterWhere } from '../sql/filter-compiler.js';
import { countByTimeSql } from './sqlite-event-queries.js';
import { uuidToBlob } from '../sql/uuid-blob.js';
import { openSqliteStorage, sqliteDatabaseFile } from './open-sqlite-storage.js';
import { isRollupCountable, rollupCountByEventSql, rollupCountSql } from './sqlite-event-counts.js';
import { migrateSqlite, SQLITE_MIGRATIONS } from './sqlite-migrations.js';

const DAY = MICROS.day;
const MINUTE = MICROS.minute;
const T0 = parseDateTime('2026-03-02T00:00:00Z')!;
// Two days before the epoch: the days around it have negative numbers.
const BEFORE_EPOCH = parseDateTime('1969-12-30T00:00:00Z')!;

/** Names that share prefixes, with `_` (literal, not LIKE's wildcard) and characters beyond ASCII and the BMP. */
const NAMES = ['a', 'a.b', 'a.b.c', 'a.bc', 'a_b', 'ab', 'b.x', 'é', 'é.x', '𝟘.x', '𝟘y'];
const PREFIXES = ['', 'a', 'a.', 'a.b', 'a_', 'b', 'é', '𝟘', 'z'];

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function record(id: number, name: string, occurred: number, payload: number | string | null = null): EventRecord {
  const event: Event = {
    occurred: formatDateTime(occurred),
    event: name,
    resource: { 'prefect.resource.id': `acme.thing.${id}` },
    related: [],
    payload: { payload },
    id: uuid(id),
    follows: null,
  };
  const r = normalizeEvent(event, T0, { maxEventBytes: 1_500_000, path: [] });
  if (!r.ok) throw new Error('bad fixture');
  return r.record;
}

function filter(since: number, until: number | null, event: NormalizedEventFilter['event'] = {}): NormalizedEventFilter {
  return { since, until, event, resource: {}, distinct: false, related: [], anyResource: [], order: 'DESC' };
}

/** floor(occurred / unit), computed apart from the writer's and the migrations' arithmetic. */
const unitOf = (occurred: number, unit: number) => {
  const q = BigInt(occurred) / BigInt(unit);
  return Number(BigInt(occurred) % BigInt(unit) < 0n ? q - 1n : q);
};
const dayOf = (occurred: number) => unitOf(occurred, DAY);

/** What a rollup must hold: events per (day or minute, event), from the events table itself. */
function expectedRollup(db: Database.Database, unit: number = DAY): string[] {
  const tally = new Map<string, number>();
  for (const { occurred, event } of db.prepare('SELECT occurred, event FROM events').all() as { occurred: number; event: string }[]) {
    const key = `${unitOf(occurred, unit)} ${event}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return [...tally].map(([key, n]) => `${key} ${n}`).sort();
}

function storedRollup(db: Database.Database, unit: number = DAY): string[] {
  const sql = unit === DAY ? 'SELECT day AS n, event, count FROM event_day_counts' : 'SELECT minute AS n, event, count FROM event_minute_counts';
  const rows = db.prepare(sql).all() as { n: number; event: string; count: number }[];
  return rows.map((r) => `${r.n} ${r.event} ${r.count}`).sort();
}

/** Count by event name straight from `events`, as the store did before the rollups. */
function plainCountByEvent(db: Database.Database, f: NormalizedEventFilter): unknown[] {
  const where = compileFilterWhere(f, 'sqlite');
  return db
    .prepare(
      `SELECT e.event AS value, e.event AS label, count(*) AS count, min(e.occurred) AS first, max(e.occurred) AS last
      FROM events e WHERE ${where.sql} GROUP BY e.event ORDER BY count DESC, value ASC`,
    )
    .all(...where.params);
}

/** Count by time in one GROUP BY over `events`. */
function plainCountByTime(db: Database.Database, f: NormalizedEventFilter, grid: { pivot: number; delta: number }): unknown[] {
  const { sql, params } = countByTimeSql(f, grid);
  return db.prepare(sql).all(...params);
}

function plainCount(db: Database.Database, f: NormalizedEventFilter): number {
  const where = compileFilterWhere(f, 'sqlite');
  return db
    .prepare(`SELECT count(*) FROM events e WHERE ${where.sql}`)
    .pluck()
    .get(...where.params) as number;
}

// An instant near `base`: on a day boundary, one µs after or before one, or anywhere in days -1..4.
const within = fc.oneof(
  fc.constantFrom(0, 1, DAY - 1, MINUTE - 1, MINUTE, MINUTE + 1),
  fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.constantFrom(-1, 0, 1)).map(([m, d]) => Math.max(0, m * MINUTE + d)),
  fc.tuple(fc.integer({ min: 0, max: 86_399 }), fc.integer({ min: 0, max: 999_999 })).map(([s, us]) => s * 1_000_000 + us),
);
const offset = fc.tuple(fc.integer({ min: -1, max: 4 }), within).map(([day, at]) => day * DAY + at);

const eventSpec = fc.record({ id: fc.integer({ min: 1, max: 30 }), name: fc.constantFrom(...NAMES), at: offset, resend: fc.boolean() });
const operation = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      events: fc.array(eventSpec, { minLength: 1, maxLength: 12 }),
      wait: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const), cutoff: offset }) },
);

const names = (from: readonly string[]) =>
  fc.option(fc.uniqueArray(fc.constantFrom(...from), { minLength: 1, maxLength: 3 }), { nil: undefined });
const eventConditions = fc
  .record({ prefixes: names(PREFIXES), excludePrefixes: names(PREFIXES), names: names([...NAMES, 'nope']), excludeNames: names(NAMES) })
  .map((conditions) => Object.fromEntries(Object.entries(conditions).filter(([, v]) => v !== undefined)) as NormalizedEventFilter['event']);
const window = fc.oneof(
  fc.tuple(offset, offset).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
  fc.tuple(offset, fc.constant(null)),
  fc.tuple(offset, offset).map(([a, b]) => [Math.max(a, b), Math.min(a, b)] as const), // empty: since after until
);

describe('rollup counts (event_day_counts, event_minute_counts)', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = createTempDir('herald-sqlite-counts-');
  });
  afterEach(() => dir.remove());

  it('counts exactly what count(*), count by event and count by time count, after appends with duplicates and conflicts and purges', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(T0, BEFORE_EPOCH),
        fc.array(operation, { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(window, eventConditions, fc.constantFrom(MINUTE, 15 * MINUTE, MICROS.hour, DAY, 90 * 1_000_000)), { minLength: 1, maxLength: 8 }),
        async (base, operations, queries) => {
          const dataDir = `${dir.path}/run-${run++}`;
          const storage = await openSqliteStorage({ dataDir });
          const db = new Database(sqliteDatabaseFile(dataDir), { readonly: true });
          try {
            // The first content sent for each id; `resend` sends it again (a duplicate), otherwise a
            // new content for a known id is a conflict. Appends not awaited share a transaction.
            const first = new Map<number, EventRecord>();
            const pending: Promise<unknown>[] = [];
            for (const op of operations) {
              if (op.kind === 'purge') {
                await Promise.all(pending);
                await storage.events.purgeBefore(base + op.cutoff);
                continue;
              }
              const records = op.events.map(({ id, name, at, resend }) => {
                const known = first.get(id);
                if (known && resend) return known;
                const r = record(id, name, base + at, at);
                if (!known) first.set(id, r);
                return r;
              });
              pending.push(storage.events.append(records));
              if (op.wait) await Promise.all(pending);
            }
            await Promise.all(pending);

            expect(storedRollup(db)).toEqual(expectedRollup(db));
            expect(storedRollup(db, MINUTE)).toEqual(expectedRollup(db, MINUTE));
            for (const [[since, until], event, delta] of queries) {
              const f = filter(base + since, until === null ? null : base + until, event);
              expect(await storage.events.count(f)).toBe(plainCount(db, f));
              expect(await storage.events.countByEvent(f)).toEqual(plainCountByEvent(db, f));
              if (until !== null) {
                const grid = { pivot: base + 7 * MINUTE, delta };
                expect(await storage.events.countByTime(f, grid)).toEqual(plainCountByTime(db, f, grid));
              }
            }
          } finally {
            db.close();
            await storage.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads whole days from the day rollup, whole minutes from the minute rollup and the rest from events', async () => {
    const storage = await openSqliteStorage({ dataDir: dir.path });
    try {
      // Four events a day over days 0..3, two of them matching the prefix.
      const records = [0, 1, 2, 3].flatMap((day) =>
        ['a.b', 'a.bc', 'b.x', 'ab'].map((name, k) => record(day * 4 + k + 1, name, T0 + day * DAY + (k + 1) * MICROS.hour)),
      );
      await storage.events.append(records);
      const prefix = { prefixes: ['a.'] };
      expect(await storage.events.count(filter(T0, T0 + 4 * DAY - 1, prefix))).toBe(8);

      // Inflate the rollup's day 1: only counts whose window covers all of that day read it.
      const db = new Database(sqliteDatabaseFile(dir.path));
      try {
        db.prepare("UPDATE event_day_counts SET count = count + 100 WHERE day = ? AND event = 'a.b'").run(dayOf(T0) + 1);
      } finally {
        db.close();
      }
      expect(await storage.events.count(filter(T0, T0 + 4 * DAY - 1, prefix))).toBe(108);
      expect(await storage.events.count(filter(T0 + 30 * MICROS.minute, T0 + 2 * DAY + 90 * MICROS.minute, prefix))).toBe(105);
      expect(await storage.events.count(filter(T0 + DAY + 1, T0 + 4 * DAY - 1, prefix))).toBe(6);
      expect(await storage.events.count(filter(T0, T0 + 2 * DAY - 2, prefix))).toBe(4);
      expect(await storage.events.count(filter(T0 + DAY, null, prefix))).toBe(106);
      // Inflate one minute of day 2 as well: only windows that hold that minute but not its whole day read it.
      const db2 = new Database(sqliteDatabaseFile(dir.path));
      try {
        db2.prepare("UPDATE event_minute_counts SET count = count + 1000 WHERE minute = ? AND event = 'a.b'").run((T0 + 2 * DAY + MICROS.hour) / MINUTE);
      } finally {
        db2.close();
      }
      expect(await storage.events.count(filter(T0 + 2 * DAY + 1, T0 + 2 * DAY + 2 * MICROS.hour - 1, prefix))).toBe(1001);
      expect(await storage.events.count(filter(T0 + 2 * DAY + MICROS.hour + 1, T0 + 2 * DAY + 2 * MICROS.hour, prefix))).toBe(1);
      expect(await storage.events.count(filter(T0 + DAY, T0 + 3 * DAY - 1, prefix))).toBe(104);
      // A filter the rollup cannot count reads events only.
      expect(await storage.events.count({ ...filter(T0, T0 + 4 * DAY - 1, prefix), resource: { idPrefixes: ['acme.'] } })).toBe(8);
    } finally {
      await storage.close();
    }
  });

  it('plans whole days and minutes as ranges of the rollup keys and the edges as ranges of events__occurred', async () => {
    const storage = await openSqliteStorage({ dataDir: dir.path });
    await storage.close();
    const fragment = rollupCountSql(filter(T0 + MICROS.hour + 30, T0 + 5 * DAY + MICROS.hour + 30, { prefixes: ['prefect.flow-run.'] }))!;
    const db = new Database(sqliteDatabaseFile(dir.path), { readonly: true });
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${fragment.sql}`).all(...fragment.params) as { detail: string }[];
      const details = plan.map((row) => row.detail);
      expect(details.filter((d) => d.startsWith('SEARCH event_day_counts USING PRIMARY KEY (day>? AND day<?)'))).toHaveLength(1);
      expect(details.filter((d) => d.startsWith('SEARCH event_minute_counts USING PRIMARY KEY (minute>? AND minute<?)'))).toHaveLength(2);
      expect(
        details.filter((d) => d.startsWith('SEARCH e USING COVERING INDEX events__occurred (occurred>? AND occurred<?)')),
      ).toHaveLength(2);
      expect(details.filter((d) => d.startsWith('SCAN') && d !== 'SCAN CONSTANT ROW')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('leaves windows without a whole UTC minute and filters with other conditions to count(*)', () => {
    const prefix = { prefixes: ['a.'] };
    expect(rollupCountSql(filter(T0 + 1, T0 + MINUTE, prefix))).toBeNull();
    expect(rollupCountSql(filter(T0 + DAY, T0, prefix))).toBeNull();
    expect(rollupCountSql(filter(T0, T0 + MINUTE - 1, prefix))).not.toBeNull();
    expect(rollupCountSql(filter(T0 + 1, T0 + DAY, prefix))).not.toBeNull();
    expect(rollupCountSql(filter(T0 + 1, null, prefix))).not.toBeNull();

    const base = filter(T0, T0 + 3 * DAY, prefix);
    expect(isRollupCountable(base)).toBe(true);
    const others: Partial<NormalizedEventFilter>[] = [
      { distinct: true },
      { resource: { ids: ['acme.thing.1'] } },
      { resource: { idPrefixes: ['acme.'] } },
      { resource: { labels: [{ label: 'prefect.resource.name', patterns: ['x'] }] } },
      { related: [{ roles: ['owner'] }] },
      { anyResource: [{ ids: ['acme.thing.1'] }] },
      { ids: [uuid(1)] },
      { follows: [uuid(1)] },
      { text: { include: ['x'], exclude: [], required: [] } },
    ];
    for (const other of others) {
      expect(isRollupCountable({ ...base, ...other })).toBe(false);
      expect(rollupCountSql({ ...base, ...other })).toBeNull();
      expect(rollupCountByEventSql({ ...base, ...other })).toBeNull();
    }
  });

  it('is built by its migration from the events a database already holds', async () => {
    const file = sqliteDatabaseFile(dir.path);
    const db = new Database(file);
    const stored = [
      [1, 'a.b', T0],
      [2, 'a.b', T0 + DAY - 1],
      [3, 'a.b', T0 + DAY],
      [4, 'a.bc', T0 + DAY + 5],
      [5, 'é.x', T0 + 3 * DAY + 7],
      [6, 'a.b', BEFORE_EPOCH + 2 * DAY - 1], // day -1
      [7, 'a.b', BEFORE_EPOCH + 2 * DAY], // day 0
      [8, 'a.b', BEFORE_EPOCH + DAY + 3], // day -1
      [9, 'b.x', BEFORE_EPOCH], // day -2
    ] as const;
    try {
      migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, 1));
      const insert = db.prepare('INSERT INTO events (seq, id, occurred, received, event, resource_id, json) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const [n, name, occurred] of stored)
        insert.run(n, uuidToBlob(uuid(n)), occurred, T0, name, `acme.thing.${n}`, record(n, name, occurred).json);
      db.prepare('UPDATE log_position SET last_seq = ?').run(stored.length);
      expect(migrateSqlite(db)).toEqual(SQLITE_MIGRATIONS.slice(1).map((m) => m.version));
      expect(storedRollup(db)).toEqual(
        [
          `${dayOf(T0)} a.b 2`,
          `${dayOf(T0) + 1} a.b 1`,
          `${dayOf(T0) + 1} a.bc 1`,
          `${dayOf(T0) + 3} é.x 1`,
          '-1 a.b 2',
          '0 a.b 1',
          '-2 b.x 1',
        ].sort(),
      );
      expect(storedRollup(db, MINUTE)).toEqual(expectedRollup(db, MINUTE));
    } finally {
      db.close();
    }

    // The store then keeps it up to date from there.
    const storage: Storage = await openSqliteStorage({ dataDir: dir.path });
    try {
      const outcome = await storage.events.append([
        record(10, 'a.b', T0 + 2),
        record(3, 'a.b', T0 + DAY, 'changed'),
        record(11, 'a.b', BEFORE_EPOCH + 9),
      ]);
      expect(outcome.results).toEqual(['inserted', 'conflict', 'inserted']);
      expect(await storage.events.count(filter(T0, T0 + 2 * DAY - 1, { names: ['a.b'] }))).toBe(4);
      expect(await storage.events.count(filter(BEFORE_EPOCH, BEFORE_EPOCH + 3 * DAY - 1, { prefixes: ['a.'] }))).toBe(4);
      expect(await storage.events.purgeBefore(T0 + DAY)).toBe(8);
      const check = new Database(file, { readonly: true });
      try {
        expect(storedRollup(check)).toEqual([`${dayOf(T0) + 1} a.b 1`, `${dayOf(T0) + 1} a.bc 1`, `${dayOf(T0) + 3} é.x 1`]);
        expect(storedRollup(check, MINUTE)).toEqual(expectedRollup(check, MINUTE));
      } finally {
        check.close();
      }
    } finally {
      await storage.close();
    }
  });
});
