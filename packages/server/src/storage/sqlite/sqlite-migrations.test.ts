import { formatDateTime, MICROS, parseDateTime, parseEventFilter, type Event } from '@herald/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import { uuidToBlob } from '../sql/uuid-blob.js';
import { encodeAppendRows } from './encode-append-rows.js';
import { openSqliteStorage, sqliteDatabaseFile } from './open-sqlite-storage.js';
import { migrateSqlite, SQLITE_MIGRATIONS } from './sqlite-migrations.js';

describe('migrateSqlite', () => {
  let dir: TempDir;
  let db: Database.Database;
  beforeEach(() => {
    dir = createTempDir('herald-sqlite-migrations-');
    db = new Database(sqliteDatabaseFile(dir.path));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const versions = () => db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
  const known = SQLITE_MIGRATIONS.map((m) => m.version);
  const latest = known.at(-1)!;

  it('creates the schema once and records each version', () => {
    expect(migrateSqlite(db)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(migrateSqlite(db)).toEqual([]);
    expect(versions()).toEqual(known);
    const objects = db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name").pluck().all();
    expect(objects).toEqual([
      'api_keys',
      'automation_relations',
      'automations',
      'connections',
      'event_day_counts',
      'event_minute_counts',
      'event_resource_rows',
      'event_resources',
      'events',
      'log_position',
      'resource_index',
      'resource_keys',
      'schema_migrations',
      'webhook_requests',
      'webhooks',
    ]);
  });

  it('applies only the migrations a database lacks, in version order', () => {
    migrateSqlite(db);
    const later = [
      { version: latest + 2, name: 'second', sql: 'CREATE TABLE t2 (x INTEGER REFERENCES t1(x))' },
      { version: latest + 1, name: 'first', sql: 'CREATE TABLE t1 (x INTEGER PRIMARY KEY)' },
    ];
    expect(migrateSqlite(db, [...SQLITE_MIGRATIONS, ...later])).toEqual([latest + 1, latest + 2]);
    expect(migrateSqlite(db, [...SQLITE_MIGRATIONS, ...later])).toEqual([]);
    expect(versions()).toEqual([...known, latest + 1, latest + 2]);
  });

  it('rolls a failing migration back whole and does not record it', () => {
    migrateSqlite(db);
    const broken = { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); CREATE TABLE events (x INTEGER);' };
    expect(() => migrateSqlite(db, [...SQLITE_MIGRATIONS, broken])).toThrow();
    expect(versions()).toEqual(known);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()).toBe(0);
  });

  it('migration 7 adds events.follows and fills it from the stored JSON of the events already there', async () => {
    const T0 = parseDateTime('2026-03-02T00:00:00Z')!;
    const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    const records = (
      [
        [1, null, {}],
        [2, uuid(1).toUpperCase(), {}],
        // Characters that trip JSON parsers, and a payload key named follows: only the top-level one counts.
        [3, uuid(1).replace(/-/g, ''), { text: 'nul \u0000 lone \ud800', follows: uuid(9) }],
        [4, null, { follows: uuid(1) }],
        [5, uuid(99), {}],
      ] as const
    ).map(([n, follows, payload]) => {
      const event: Event = {
        occurred: formatDateTime(T0 + n * MICROS.second),
        event: 'acme.thing.happened',
        resource: { 'prefect.resource.id': `acme.thing.${n}` },
        related: [],
        payload,
        id: uuid(n),
        follows,
      };
      const r = normalizeEvent(event, T0, { maxEventBytes: 1_500_000, path: [] });
      if (!r.ok) throw new Error('bad fixture');
      return r.record;
    });
    // A database at version 6, with events written as the writer wrote them then (no follows column).
    const before = SQLITE_MIGRATIONS.filter((m) => m.version < 7);
    expect(migrateSqlite(db, before)).toEqual(before.map((m) => m.version));
    const insert = db.prepare('INSERT INTO events (seq, id, occurred, received, event, resource_id, json) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertKey = db.prepare('INSERT INTO resource_keys (resource_id) VALUES (?)');
    const insertRow = db.prepare('INSERT INTO event_resource_rows (rid, rkey, role, occurred, labels) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      records.forEach((r, i) => {
        const seq = i + 1;
        const [idHex, occurred, received, name, resourceId, json] = encodeAppendRows([r]);
        insert.run(seq, Buffer.from(idHex as string, 'hex'), occurred, received, name, resourceId, json);
        insertRow.run(seq * 1024, insertKey.run(resourceId).lastInsertRowid, null, occurred, null);
      });
      db.prepare('UPDATE log_position SET last_seq = ?').run(records.length);
    })();

    expect(migrateSqlite(db, SQLITE_MIGRATIONS.filter((m) => m.version <= 7))).toEqual([7]);
    const follows = db.prepare('SELECT seq, follows FROM events ORDER BY seq').raw().all();
    expect(follows).toEqual([
      [1, null],
      [2, uuidToBlob(uuid(1))],
      [3, uuidToBlob(uuid(1))],
      [4, null],
      [5, uuidToBlob(uuid(99))],
    ]);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'events__follows'").pluck().get()).toMatch(/ON events\(follows, occurred\) WHERE follows IS NOT NULL/);
    db.close();

    // The store reads the backfilled rows and writes the column for new ones.
    const storage = await openSqliteStorage({ dataDir: dir.path });
    try {
      const filter = (ids: string[]) => {
        const r = parseEventFilter({ follows: { id: ids }, occurred: { since: formatDateTime(T0) } }, { now: T0 + MICROS.day, missingUntil: 'now' });
        if (!r.ok) throw new Error('bad filter');
        return r.filter;
      };
      const found = async (ids: string[]) => (await storage.events.page({ filter: filter(ids), limit: 10 })).map((e) => e.seq);
      expect(await found([uuid(1)])).toEqual([3, 2]);
      expect(await found([uuid(9)])).toEqual([]);
      const later = normalizeEvent(
        { occurred: formatDateTime(T0 + 10 * MICROS.second), event: 'acme.later', resource: { 'prefect.resource.id': 'acme.x' }, related: [], payload: {}, id: uuid(6), follows: uuid(1) },
        T0,
        { maxEventBytes: 1_500_000, path: [] },
      );
      if (!later.ok) throw new Error('bad fixture');
      await storage.events.append([later.record]);
      expect(await found([uuid(1), uuid(99)])).toEqual([6, 5, 3, 2]);
    } finally {
      await storage.close();
      db = new Database(sqliteDatabaseFile(dir.path));
    }
  });

  it('migration 8 keeps the rows already there in the resource index and defers only new ones', async () => {
    const T0 = parseDateTime('2026-03-02T00:00:00Z')!;
    const record = (n: number) => {
      const event: Event = {
        occurred: formatDateTime(T0 + n * MICROS.second),
        event: 'acme.thing.happened',
        resource: { 'prefect.resource.id': `acme.thing.${n % 2}` },
        related: [{ 'prefect.resource.id': 'acme.flow', 'prefect.resource.role': 'flow' }],
        payload: {},
        id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
        follows: null,
      };
      const r = normalizeEvent(event, T0, { maxEventBytes: 1_500_000, path: [] });
      if (!r.ok) throw new Error('bad fixture');
      return r.record;
    };
    // A database at version 7 with four events, written as the writer wrote them then (every row indexed).
    expect(migrateSqlite(db, SQLITE_MIGRATIONS.filter((m) => m.version <= 7))).toEqual(SQLITE_MIGRATIONS.filter((m) => m.version <= 7).map((m) => m.version));
    const insert = db.prepare('INSERT INTO events (seq, id, occurred, received, event, resource_id, json) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const keyOf = (id: string) =>
      (db.prepare('SELECT rkey FROM resource_keys WHERE resource_id = ?').pluck().get(id) as number | undefined) ??
      Number(db.prepare('INSERT INTO resource_keys (resource_id) VALUES (?)').run(id).lastInsertRowid);
    const insertRow = db.prepare('INSERT INTO event_resource_rows (rid, rkey, role, occurred, labels) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (let seq = 1; seq <= 4; seq++) {
        const [idHex, occurred, received, name, resourceId, json] = encodeAppendRows([record(seq)]);
        insert.run(seq, Buffer.from(idHex as string, 'hex'), occurred, received, name, resourceId, json);
        insertRow.run(seq * 1024, keyOf(resourceId as string), null, occurred, null);
        insertRow.run(seq * 1024 + 1, keyOf('acme.flow'), 'flow', occurred, null);
      }
      db.prepare('UPDATE log_position SET last_seq = 4').run();
    })();

    expect(migrateSqlite(db)).toEqual([8]);
    expect(db.prepare('SELECT count(*) FROM event_resource_rows WHERE pending IS NOT NULL').pluck().get()).toBe(0);
    expect(db.prepare('SELECT unindexed_from FROM resource_index').pluck().get()).toBe(4 * 1024 + 2);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'event_resource_rows__rkey_occurred'").pluck().get()).toMatch(
      /ON event_resource_rows\(rkey, occurred\) WHERE pending IS NULL/,
    );
    db.close();

    // New rows wait outside the index until they hold a batch (here 3 events); queries read both.
    const storage = await openSqliteStorage({ dataDir: dir.path, resourceIndexBatchEvents: 3 });
    const pending = () => {
      const check = new Database(sqliteDatabaseFile(dir.path), { readonly: true });
      try {
        return check.prepare('SELECT rid >> 10 FROM event_resource_rows WHERE pending = 1 ORDER BY rid').pluck().all();
      } finally {
        check.close();
      }
    };
    try {
      const filter = (input: object) => {
        const r = parseEventFilter({ ...input, occurred: { since: formatDateTime(T0) } }, { now: T0 + MICROS.day, missingUntil: 'now' });
        if (!r.ok) throw new Error('bad filter');
        return r.filter;
      };
      const seqs = async (input: object) => (await storage.events.page({ filter: filter(input), limit: 10 })).map((e) => e.seq);
      await storage.events.append([record(5), record(6)]);
      expect(pending()).toEqual([5, 5, 6, 6]);
      expect(await seqs({ resource: { id: ['acme.thing.0'] } })).toEqual([6, 4, 2]);
      expect(await seqs({ related: { id: ['acme.flow'] } })).toEqual([6, 5, 4, 3, 2, 1]);
      expect(await storage.events.count(filter({ any_resource: { id: ['acme.thing.1', 'acme.flow'] } }))).toBe(6);
      await storage.events.append([record(7)]);
      // The full tail is indexed after that append is acknowledged, before the writer's next job: here
      // a resend, which stores nothing.
      expect((await storage.events.append([record(7)])).results).toEqual(['duplicate']);
      expect(pending()).toEqual([]);
      expect(await seqs({ related: { id: ['acme.flow'] }, order: 'ASC' })).toEqual([1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await storage.close();
      db = new Database(sqliteDatabaseFile(dir.path));
    }
  });

  it('refuses a database migrated by a newer Herald', async () => {
    migrateSqlite(db);
    db.prepare("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')").run();
    expect(() => migrateSqlite(db)).toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }));
    await expect(openSqliteStorage({ dataDir: dir.path })).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', details: { schemaVersion: 99 } });
  });
});
