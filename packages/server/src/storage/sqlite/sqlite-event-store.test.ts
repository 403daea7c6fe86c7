import { formatDateTime, MICROS, parseDateTime, parseEventFilter, type Event } from '@herald/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import { describeEventStoreContract } from '../event-store.contract.js';
import type { EventRecord, Storage } from '../ports.js';
import { openSqliteStorage, sqliteDatabaseFile } from './open-sqlite-storage.js';
import { countSql, pageSql } from './sqlite-event-queries.js';
import { LONG_READ_SLICE_ROWS } from './sqlite-reader.js';
import { compareCodePoints } from './sqlite-resource-reads.js';

/** Records what a read pool logs: errors for a thread that stopped or could not start, warnings for a read past its time limit. */
function threadStopLog() {
  const messages: string[] = [];
  const warnings: string[] = [];
  return {
    messages,
    warnings,
    error: (_object: object, message: string) => void messages.push(message),
    warn: (_object: object, message: string) => void warnings.push(message),
  };
}

for (const readThreads of [0, 1]) {
  describeEventStoreContract(readThreads === 0 ? 'sqlite' : 'sqlite, filter reads on a read thread', async () => {
    const dir = createTempDir('herald-sqlite-contract-');
    // A batch of 2 events: appends of one event leave rows outside the resource index, larger ones index them.
    const threadStops = threadStopLog();
    const storage = await openSqliteStorage({ dataDir: dir.path, resourceIndexBatchEvents: 2, readThreads, logger: threadStops });
    return {
      store: storage.events,
      cleanup: async () => {
        await storage.close();
        dir.remove();
        // Every read went to the read thread: it started, and none fell back to this thread.
        expect(threadStops.messages).toEqual([]);
      },
    };
  });
}

const T0 = parseDateTime('2026-03-02T00:00:00Z')!;
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function record(n: number, overrides: Partial<Event> = {}): EventRecord {
  const event: Event = {
    occurred: formatDateTime(T0 + n * MICROS.second),
    event: 'acme.thing.happened',
    resource: { 'prefect.resource.id': `acme.thing.${n}` },
    related: [{ 'prefect.resource.id': 'acme.shared', 'prefect.resource.role': 'owner' }],
    payload: { n },
    id: uuid(n),
    follows: null,
    ...overrides,
  };
  const r = normalizeEvent(event, T0 + MICROS.day, { maxEventBytes: 1_500_000, path: [] });
  if (!r.ok) throw new Error('bad fixture');
  return r.record;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

function filter(wire: object = {}) {
  const parsed = parseEventFilter(
    { occurred: { since: formatDateTime(T0 - MICROS.day), until: formatDateTime(T0 + MICROS.day) }, ...wire },
    { now: T0, missingUntil: 'now' },
  );
  if (!parsed.ok) throw new Error('bad filter');
  return parsed.filter;
}

describe('SqliteEventStore', () => {
  let dir: TempDir;
  let storage: Storage;
  beforeEach(async () => {
    dir = createTempDir('herald-sqlite-');
    storage = await openSqliteStorage({ dataDir: dir.path });
  });
  afterEach(async () => {
    await storage.close();
    dir.remove();
  });

  /** A second connection on the same file, to look at the tables themselves. */
  function inspect<T>(read: (db: Database.Database) => T): T {
    const db = new Database(sqliteDatabaseFile(dir.path), { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  it('keeps every committed event and the log position across a reopen', async () => {
    const { seqs, lastSeq } = await storage.events.append(range(1, 3).map((n) => record(n)));
    await storage.close();
    storage = await openSqliteStorage({ dataDir: dir.path });
    expect((await storage.events.get(uuid(2)))?.seq).toBe(seqs[1]);
    expect(await storage.events.lastSeq()).toBe(lastSeq);
    expect((await storage.events.append([record(4)])).seqs).toEqual([lastSeq + 1]);
    expect(await storage.events.append([record(1)])).toMatchObject({ results: ['duplicate'] });
  });

  it('finishes queued writes on close, then refuses new ones', async () => {
    const pending = storage.events.append(range(1, 500).map((n) => record(n)));
    await storage.close();
    expect((await pending).results.every((r) => r === 'inserted')).toBe(true);
    await expect(storage.events.append([record(501)])).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(inspect((db) => db.prepare('SELECT count(*) FROM events').pluck().get())).toBe(500);
    storage = await openSqliteStorage({ dataDir: dir.path });
  });

  it('gives each of several concurrent appends its own results, in call order', async () => {
    const outcomes = await Promise.all([
      storage.events.append([record(1), record(2)]),
      storage.events.append([record(2), record(3)]),
      storage.events.append([record(3, { payload: { changed: true } }), record(4)]),
    ]);
    expect(outcomes.map((o) => o.results)).toEqual([
      ['inserted', 'inserted'],
      ['duplicate', 'inserted'],
      ['conflict', 'inserted'],
    ]);
    const seqs = outcomes.flatMap((o) => o.seqs).filter((s) => s > 0);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('fails only the append that cannot be stored, not those committed beside it', async () => {
    const broken = { ...record(2), occurred: null } as unknown as EventRecord;
    const [first, bad, last] = await Promise.allSettled([
      storage.events.append([record(1)]),
      storage.events.append([broken]),
      storage.events.append([record(3)]),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { results: ['inserted'] } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'STORAGE_UNAVAILABLE' } });
    expect(last).toMatchObject({ status: 'fulfilled', value: { results: ['inserted'] } });
    expect(await storage.events.get(uuid(2))).toBeNull();
    expect(await storage.events.count(filter())).toBe(2);
  });

  it('purges in several transactions and drops the resource keys no event uses any more', async () => {
    const old = range(1, 4500).map((n) => record(n, { occurred: formatDateTime(T0 - MICROS.day - n) }));
    await storage.events.append(old);
    await storage.events.append([record(9000, { resource: { 'prefect.resource.id': 'acme.keep' } })]);
    expect(await storage.events.purgeBefore(T0 - MICROS.day)).toBe(4500);
    expect(inspect((db) => db.prepare('SELECT resource_id FROM resource_keys ORDER BY 1').pluck().all())).toEqual(['acme.keep', 'acme.shared']);
    expect(inspect((db) => db.prepare('SELECT count(*) FROM event_resource_rows').pluck().get())).toBe(2);
    // A dropped key comes back under a new rkey, and the events that use it are found by it again.
    await storage.events.append([record(9001, { resource: { 'prefect.resource.id': 'acme.thing.7' } })]);
    expect((await storage.events.page({ filter: filter({ resource: { id: ['acme.thing.7'] } }), limit: 5 })).map((e) => e.seq)).toHaveLength(1);
  });

  it.each([0, 1])('writes planner statistics once the table has grown, and keeps answering the same (read threads: %i)', async (readThreads) => {
    await storage.close();
    storage = await openSqliteStorage({ dataDir: dir.path, analyzeAfterEvents: 100, readThreads });
    const statistics = () => inspect((db) => db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'").pluck().get());
    await storage.events.append(range(1, 50).map((n) => record(n)));
    expect(statistics()).toBe(0);
    await storage.events.append(range(51, 100).map((n) => record(n)));
    for (let waited = 0; statistics() === 0 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(statistics()).toBe(1);
    expect(await storage.events.count(filter({ event: { prefix: ['acme.'] } }))).toBe(150);
    expect((await storage.events.countByEvent(filter())).map((g) => g.count)).toEqual([150]);
  });

  it('runs a filter read that visits every event on its read thread, while this thread goes on', async () => {
    await storage.close();
    const threadStops = threadStopLog();
    storage = await openSqliteStorage({ dataDir: dir.path, readThreads: 1, logger: threadStops });
    const filler = 'x'.repeat(4000);
    for (let from = 1; from <= 30_000; from += 5000) await storage.events.append(range(from, 5000).map((n) => record(n, { payload: { filler } })));
    // A word no event holds: the search reads the JSON of all 30,000 events (120 MB).
    let counted = false;
    const count = storage.events.count(filter({ text: { query: 'nowhere' } })).then((n) => {
      counted = true;
      return n;
    });
    let turns = 0;
    while (!counted && turns < 5) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(await storage.events.get(uuid(turns + 1))).toMatchObject({ seq: turns + 1 });
      turns++;
    }
    // This thread turned and read by id 5 times while the search went on elsewhere.
    expect(turns).toBe(5);
    expect(counted).toBe(false);
    expect(await count).toBe(0);
    expect(threadStops.messages).toEqual([]);
  });

  it('fails a read that runs past the time limit on its thread with QUERY_TIMEOUT, and replaces the thread', async () => {
    await storage.close();
    const threadStops = threadStopLog();
    storage = await openSqliteStorage({ dataDir: dir.path, readThreads: 1, queryTimeoutMs: 1, logger: threadStops });
    const filler = 'x'.repeat(4000);
    for (let from = 1; from <= 10_000; from += 5000) await storage.events.append(range(from, 5000).map((n) => record(n, { payload: { filler } })));
    // A word no event holds: the search reads 40 MB of JSON, which no machine does in 1 ms.
    await expect(storage.events.count(filter({ text: { query: 'nowhere' } }))).rejects.toMatchObject({
      code: 'QUERY_TIMEOUT',
      status: 422,
      details: { limit_ms: 1 },
    });
    expect(threadStops.warnings).toEqual(['a SQLite reader job ran past its time limit; its thread is replaced']);
    expect(threadStops.messages).toEqual([]);
  });

  it('counts the WAL in sizeBytes', async () => {
    await storage.events.append(range(1, 1000).map((n) => record(n)));
    const size = await storage.events.sizeBytes();
    const pages = inspect((db) => (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number));
    expect(size).toBeGreaterThan(pages);
    expect(size).toBeGreaterThan(1000 * 300);
  });

  it('orders labels by code point, as SQLite and UTF-8 bytes do', () => {
    expect(['\u{1F600}', '\uFFFD', 'b', 'a', 'ab'].sort(compareCodePoints)).toEqual(['a', 'ab', 'b', '\uFFFD', '\u{1F600}']);
  });

  it('walks the occurred index for prefixes and keysets, and the resource index for ids', async () => {
    await storage.events.append(range(1, 50).map((n) => record(n)));
    /** The plan as lines indented by depth: the outer query at 0, its subqueries deeper. */
    const plan = (query: Parameters<typeof pageSql>[0]) => {
      const { sql, params } = pageSql(query);
      const rows = inspect((db) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { id: number; parent: number; detail: string }[]);
      const depth = new Map<number, number>([[0, 0]]);
      return rows.map((r) => {
        depth.set(r.id, depth.get(r.parent)! + 1);
        return '  '.repeat(depth.get(r.parent)!) + r.detail;
      });
    };
    // Keys from the covering index, from the cursor on, in order: only the page's rows are sorted.
    expect(plan({ filter: filter({ event: { prefix: ['acme.'] } }), limit: 50, after: { occurred: T0, seq: 10 } })).toEqual([
      'SEARCH e USING INTEGER PRIMARY KEY (rowid=?)',
      'LIST SUBQUERY 1',
      '  SEARCH e USING COVERING INDEX events__occurred (occurred>? AND occurred<?)',
      'USE TEMP B-TREE FOR ORDER BY',
    ]);
    const byResource = plan({ filter: filter({ resource: { id: ['acme.thing.3'] } }), limit: 50 }).join('\n');
    expect(byResource).toMatch(/sqlite_autoindex_resource_keys_1 \(resource_id=\?\)/);
    expect(byResource).toMatch(/event_resource_rows__rkey_occurred \(rkey=\? AND occurred>\? AND occurred<\?\)/);

    // Followers: the partial index on follows, in page order for one leader (only the page is sorted).
    expect(plan({ filter: filter({ follows: { id: [uuid(3)] } }), limit: 50 })).toEqual([
      'SEARCH e USING INTEGER PRIMARY KEY (rowid=?)',
      'LIST SUBQUERY 1',
      '  SEARCH e USING COVERING INDEX events__follows (follows=? AND occurred>? AND occurred<?)',
      'USE TEMP B-TREE FOR ORDER BY',
    ]);
    // Several leaders, a resource id beside them: still the follows index, not a walk of the resource.
    const followers = plan({ filter: filter({ follows: { id: [uuid(3), uuid(4)] }, resource: { id: ['acme.thing.3'] } }), limit: 50 }).join('\n');
    expect(followers).toMatch(/SEARCH e USING COVERING INDEX events__follows \(follows=\? AND occurred>\? AND occurred<\?\)/);
    expect(followers).not.toMatch(/SCAN|events__occurred/);
    const { sql, params } = countSql(filter({ follows: { id: [uuid(3)] } }));
    const count = inspect((db) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    expect(count).toEqual(['SEARCH e USING COVERING INDEX events__follows (follows=? AND occurred>? AND occurred<?)']);
  });

  it('keeps events without follows out of the follows index', async () => {
    await storage.events.append([record(1), record(2, { follows: uuid(1) }), record(3, { follows: uuid(1) }), record(4)]);
    const indexed = inspect((db) => db.prepare('SELECT hex(follows) FROM events INDEXED BY events__follows WHERE follows IS NOT NULL').pluck().all());
    expect(indexed).toEqual(['00000000000040008000000000000001', '00000000000040008000000000000001']);
    const definition = inspect((db) => db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'events__follows'").pluck().get());
    expect(definition).toMatch(/WHERE follows IS NOT NULL$/);
    expect(inspect((db) => db.prepare('SELECT typeof(follows), length(follows) FROM events WHERE seq = (SELECT max(seq) - 1 FROM events)').raw().get())).toEqual(['blob', 16]);
  });

  it('counts by resource in slices: the event loop turns while it walks, and other reads go on', async () => {
    const count = 2 * LONG_READ_SLICE_ROWS + 100;
    // Resource n % 50: 50 groups; one of them also gets a name from its newest event.
    const resource = (n: number) => ({ 'prefect.resource.id': `acme.group.${n % 50}`, ...(n === count ? { 'prefect.resource.name': 'newest' } : {}) });
    const records = range(1, count).map((n) => record(n, { resource: resource(n) }));
    await storage.events.append(records);
    let turns = 0;
    let counting = true;
    const tick = (): void => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const counted = storage.events.countByResource(filter());
    // A read on the main connection while the long read holds its own connection open.
    const page = await storage.events.page({ filter: filter(), limit: 1 });
    let groups;
    try {
      groups = await counted;
    } finally {
      counting = false;
    }
    expect(page).toHaveLength(1);
    // Each full slice of rows gives the loop a turn; a walk in one piece gives it none.
    expect(turns).toBeGreaterThanOrEqual(2);
    expect(groups).toHaveLength(50);
    expect(groups.reduce((sum, g) => sum + g.count, 0)).toBe(count);
    const named = groups.find((g) => g.value === `acme.group.${count % 50}`);
    expect(named).toMatchObject({ label: 'newest' });
  });
});
