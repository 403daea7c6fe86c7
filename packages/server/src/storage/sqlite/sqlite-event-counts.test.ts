import { formatDateTime, MICROS, parseDateTime, type Event, type NormalizedEventFilter } from '@herald/core';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import type { EventRecord, Storage } from '../ports.js';
import { compileFilterWhere } from '../sql/filter-compiler.js';
import { uuidToBlob } from '../sql/uuid-blob.js';
import { openSqliteStorage, sqliteDatabaseFile } from './open-sqlite-storage.js';
import { isRollupCountable, rollupCountSql } from './sqlite-event-counts.js';
import { migrateSqlite, SQLITE_MIGRATIONS } from './sqlite-migrations.js';

const DAY = MICROS.day;
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

/** floor(occurred / DAY), computed apart from the writer's and the migration's arithmetic. */
const dayOf = (occurred: number) => {
  const q = BigInt(occurred) / BigInt(DAY);
  return Number(BigInt(occurred) % BigInt(DAY) < 0n ? q - 1n : q);
};

/** What the rollup must hold: events per (day, event), from the events table itself. */
function expectedRollup(db: Database.Database): string[] {
  const tally = new Map<string, number>();
  for (const { occurred, event } of db.prepare('SELECT occurred, event FROM events').all() as { occurred: number; event: string }[]) {
    const key = `${dayOf(occurred)} ${event}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  return [...tally].map(([key, n]) => `${key} ${n}`).sort();
}

function storedRollup(db: Database.Database): string[] {
  const rows = db.prepare('SELECT day, event, count FROM event_day_counts').all() as { day: number; event: string; count: number }[];
  return rows.map((r) => `${r.day} ${r.event} ${r.count}`).sort();
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
  fc.constantFrom(0, 1, DAY - 1),
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

describe('rollup counts (event_day_counts)', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = createTempDir('herald-sqlite-counts-');
  });
  afterEach(() => dir.remove());

  it('counts exactly what count(*) counts, after appends with duplicates and conflicts and purges', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(T0, BEFORE_EPOCH),
        fc.array(operation, { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(window, eventConditions), { minLength: 1, maxLength: 8 }),
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
            for (const [[since, until], event] of queries) {
              const f = filter(base + since, until === null ? null : base + until, event);
              expect(await storage.events.count(f)).toBe(plainCount(db, f));
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

  it('reads whole days from the rollup and the partial days from events', async () => {
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
      // A filter the rollup cannot count reads events only.
      expect(await storage.events.count({ ...filter(T0, T0 + 4 * DAY - 1, prefix), resource: { idPrefixes: ['acme.'] } })).toBe(8);
    } finally {
      await storage.close();
    }
  });

  it('plans whole days as a range of the rollup key and the edges as ranges of events__occurred', async () => {
    const storage = await openSqliteStorage({ dataDir: dir.path });
    await storage.close();
    const fragment = rollupCountSql(filter(T0 + MICROS.hour, T0 + 5 * DAY + MICROS.hour, { prefixes: ['prefect.flow-run.'] }))!;
    const db = new Database(sqliteDatabaseFile(dir.path), { readonly: true });
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${fragment.sql}`).all(...fragment.params) as { detail: string }[];
      const details = plan.map((row) => row.detail);
      expect(details.filter((d) => d.startsWith('SEARCH event_day_counts USING PRIMARY KEY (day>? AND day<?)'))).toHaveLength(1);
      expect(
        details.filter((d) => d.startsWith('SEARCH e USING COVERING INDEX events__occurred (occurred>? AND occurred<?)')),
      ).toHaveLength(2);
      expect(details.filter((d) => d.startsWith('SCAN') && d !== 'SCAN CONSTANT ROW')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('leaves windows without a whole UTC day and filters with other conditions to count(*)', () => {
    const prefix = { prefixes: ['a.'] };
    expect(rollupCountSql(filter(T0 + 1, T0 + DAY, prefix))).toBeNull();
    expect(rollupCountSql(filter(T0 + DAY, T0, prefix))).toBeNull();
    expect(rollupCountSql(filter(T0, T0 + DAY - 1, prefix))).not.toBeNull();
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
      { text: { include: ['x'], exclude: [], required: [] } },
    ];
    for (const other of others) {
      expect(isRollupCountable({ ...base, ...other })).toBe(false);
      expect(rollupCountSql({ ...base, ...other })).toBeNull();
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
      } finally {
        check.close();
      }
    } finally {
      await storage.close();
    }
  });
});
