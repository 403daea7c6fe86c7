import { formatDateTime, parseEventFilter, type Event, type EventFilterInput, type NormalizedEventFilter } from '@herald/core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import type { EventRecord, Storage } from '../ports.js';
import { openSqliteStorage, sqliteDatabaseFile } from '../sqlite/open-sqlite-storage.js';
import { compileFilterWhere } from './filter-compiler.js';
import type { ResourceLookup } from './resource-sql.js';
import { blobToUuid, uuidToBlob } from './uuid-blob.js';

const T0 = Date.UTC(2026, 10, 22, 12) * 1000;
const NOW = T0 + 3_600_000_000;

function filterOf(input: EventFilterInput, missingUntil: 'now' | 'unbounded' = 'now'): NormalizedEventFilter {
  const parsed = parseEventFilter(input, { now: NOW, missingUntil });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.filter;
}

/** Event number n, normalised as ingestion does. */
function record(n: number, fields: Partial<Event> & { offsetSeconds?: number }): EventRecord {
  const occurred = T0 + (fields.offsetSeconds ?? 0) * 1_000_000;
  const event: Event = {
    occurred: formatDateTime(occurred),
    event: fields.event ?? 'acme.thing.happened',
    resource: fields.resource ?? { 'prefect.resource.id': `acme.thing.${n}` },
    related: fields.related ?? [],
    payload: fields.payload ?? {},
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    follows: null,
  };
  const r = normalizeEvent(event, occurred, { maxEventBytes: 1_500_000, path: [] });
  if (!r.ok) throw new Error(`fixture ${n} is invalid`);
  return r.record;
}

const RECORDS = [
  record(1, { event: 'a_b.done' }),
  record(2, { event: 'axb.done' }),
  record(3, { event: 'a%b.done', payload: { note: '100% done' } }),
  record(4, { resource: { 'prefect.resource.id': 'acme.flow.1', 'prefect.resource.role': 'flow' } }),
  record(5, { related: [{ 'prefect.resource.id': 'acme.flow.1', 'prefect.resource.role': 'flow' }] }),
  record(6, { resource: { 'prefect.resource.id': 'acme.x', 'we"ird': 'yes', 'a.b': 'dotted', $root: 'dollar' } }),
  record(7, { payload: { note: 'ÉTÉ Summer' }, offsetSeconds: 7200 }),
];

let dir: TempDir;
let storage: Storage;
/** A second, read-only connection to the store's file: the compiled SQL runs on the real schema. */
let db: Database.Database;

beforeAll(async () => {
  dir = createTempDir('herald-filter-compiler-');
  storage = await openSqliteStorage({ dataDir: dir.path });
  await storage.events.append(RECORDS);
  db = new Database(sqliteDatabaseFile(dir.path), { readonly: true });
});

afterAll(async () => {
  db?.close();
  await storage?.close();
  dir?.remove();
});

function selectWith(filter: NormalizedEventFilter, resourceLookup: ResourceLookup): number[] {
  const where = compileFilterWhere(filter, 'sqlite', { resourceLookup });
  const rows = db.prepare(`SELECT e.id FROM events e WHERE ${where.sql} ORDER BY e.seq`).all(...where.params) as { id: Buffer }[];
  return rows.map((r) => Number(blobToUuid(r.id).slice(24)));
}

/** The numbers of the events (last id group) that the compiled filter selects on SQLite; both lookups agree. */
function select(input: EventFilterInput, missingUntil: 'now' | 'unbounded' = 'now'): number[] {
  const filter = filterOf(input, missingUntil);
  const selected = selectWith(filter, 'index');
  expect(selectWith(filter, 'per-event')).toEqual(selected);
  return selected;
}

function plan(input: EventFilterInput, resourceLookup: ResourceLookup = 'index'): string {
  const where = compileFilterWhere(filterOf(input), 'sqlite', { resourceLookup });
  const sql = `SELECT e.json FROM events e WHERE ${where.sql} ORDER BY e.occurred DESC, e.seq DESC LIMIT 50`;
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...where.params) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

const EVERY_FIELD: EventFilterInput = {
  occurred: { since: formatDateTime(T0 - 1), until: formatDateTime(NOW) },
  event: { prefix: ['a', 'b'], exclude_prefix: ['c'], name: ['a.x', 'b'], exclude_name: ['d', 'e'] },
  resource: { id: ['r1', 'r2'], id_prefix: ['r'], labels: { env: ['prod', '!dev*'], 'prefect.resource.role': 'x' } },
  related: [{ id: ['f'], role: ['flow'], resources_in_roles: [['f', 'flow']], labels: { team: 't*' } }, { role: ['tag'] }],
  any_resource: [{ id_prefix: ['g'], labels: { 'prefect.resource.id': 'g.[a-c]*' } }, { id: ['h'] }],
  id: { id: ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'] },
  follows: { id: ['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004'] },
  text: { query: 'error -debug +"flow run"' },
};

describe('compileFilterWhere placeholders', () => {
  it('numbers PostgreSQL placeholders from paramOffset + 1, one number per parameter', () => {
    for (const resourceLookup of ['index', 'per-event'] as const) {
      const { sql, params } = compileFilterWhere(filterOf(EVERY_FIELD), 'postgres', { paramOffset: 3, resourceLookup });
      const numbers = new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      expect([...numbers].sort((a, b) => a - b)).toEqual(params.map((_, i) => i + 4));
    }
  });

  it('uses one SQLite ? per parameter, in order', () => {
    for (const resourceLookup of ['index', 'per-event'] as const) {
      const { sql, params } = compileFilterWhere(filterOf(EVERY_FIELD), 'sqlite', { paramOffset: 3, resourceLookup });
      expect(sql.split('?').length - 1).toBe(params.length);
      expect(params[0]).toBe(T0 - 1);
      expect(params).toContainEqual(uuidToBlob('00000000-0000-4000-8000-000000000002'));
      expect(params).toContainEqual(uuidToBlob('00000000-0000-4000-8000-000000000004'));
    }
  });

  it('leaves ordering, keyset and LIMIT to the adapters', () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const { sql } = compileFilterWhere(filterOf({ ...EVERY_FIELD, order: 'ASC', resource: { distinct: true } }), dialect);
      expect(sql).not.toMatch(/ORDER BY|LIMIT|DISTINCT/i);
      expect(sql.startsWith('(') && sql.endsWith(')')).toBe(true);
    }
  });

  it('omits the upper bound when until is unbounded', () => {
    const { sql, params } = compileFilterWhere(filterOf({}, 'unbounded'), 'postgres');
    expect(sql).toBe('(e.occurred >= $1)');
    expect(params).toHaveLength(1);
  });
});

describe('compileFilterWhere semantics on SQLite', () => {
  it('treats _ and % in event prefixes as plain characters', () => {
    expect(select({ event: { prefix: ['a_'] } })).toEqual([1]);
    expect(select({ event: { prefix: ['a%'] } })).toEqual([3]);
    expect(select({ event: { exclude_prefix: ['a_', 'a%', 'acme.'] } })).toEqual([2]);
  });

  it('never lets the primary resource satisfy a related clause', () => {
    expect(select({ related: { role: ['flow'] } })).toEqual([5]);
    expect(select({ related: { id: ['acme.flow.1'] } })).toEqual([5]);
    expect(select({ any_resource: { id: ['acme.flow.1'] } })).toEqual([4, 5]);
    expect(select({ resource: { labels: { 'prefect.resource.role': 'fl*' } } })).toEqual([4]);
  });

  it('reads labels whose names hold quotes, dots and dollars exactly', () => {
    expect(select({ resource: { labels: { 'we"ird': 'y?s' } } })).toEqual([6]);
    expect(select({ resource: { labels: { 'a.b': 'dotted', $root: '!x*' } } })).toEqual([6]);
    expect(select({ resource: { labels: { 'we"ird': '!yes' } } })).toEqual([]);
  });

  it('searches text case-insensitively for ASCII only, with % literal', () => {
    expect(select({ text: { query: '100%' } })).toEqual([3]);
    expect(select({ text: { query: '0%d' } })).toEqual([]);
    expect(select({ text: { query: 'summer' } }, 'unbounded')).toEqual([7]);
    expect(select({ text: { query: 'été' } }, 'unbounded')).toEqual([]);
    expect(select({ text: { query: 'ÉTÉ' } }, 'unbounded')).toEqual([7]);
  });

  it('bounds occurred inclusively, and not at all above when until is unbounded', () => {
    expect(select({ occurred: { since: formatDateTime(T0 + 7_200_000_000), until: formatDateTime(T0 + 7_200_000_000) } })).toEqual([7]);
    expect(select({})).toEqual([1, 2, 3, 4, 5, 6]);
    expect(select({}, 'unbounded')).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('compileFilterWhere SQLite query plans', () => {
  it('walks events__occurred for the newest events with a prefix, without sorting (limits.md trap 1)', () => {
    const p = plan({ event: { prefix: ['prefect.flow-run.'] } });
    expect(p).toContain('USING INDEX events__occurred');
    expect(p).not.toContain('TEMP B-TREE');
  });

  it('starts from the resource index for a resource id', () => {
    for (const input of [
      { resource: { id: ['prefect.flow-run.1'] } },
      { any_resource: { id: ['prefect.deployment.1'] } },
      { related: { resources_in_roles: [['prefect.deployment.1', 'deployment']] } },
    ] as EventFilterInput[]) {
      const p = plan(input);
      expect(p).toContain('sqlite_autoindex_resource_keys_1 (resource_id=?)');
      expect(p).toContain('event_resource_rows__rkey_occurred (rkey=? AND occurred>? AND occurred<?)');
    }
  });

  it('reads an event own resource rows by rowid when no id drives the query, never an automatic index', () => {
    for (const input of [
      { related: { role: ['flow'] } },
      { any_resource: { labels: { env: 'prod' } } },
      { resource: { labels: { env: 'prod' } } },
    ]) {
      const p = plan(input);
      expect(p).toContain('USING INDEX events__occurred');
      expect(p).toMatch(/SEARCH r USING INTEGER PRIMARY KEY \(rowid/);
      expect(p).not.toContain('AUTOMATIC');
    }
  });

  it('looks resource ids up per event by rowid, not by the resource index, so an exact id costs no walk of its rows', () => {
    for (const [input, lookup] of [
      [{ any_resource: { labels: { 'prefect.resource.id': 'acme.flow.1' } } }, 'index'],
      [{ related: { id: ['acme.flow.1'], role: ['flow'] } }, 'per-event'],
      [{ any_resource: { id: ['acme.flow.1'] } }, 'per-event'],
    ] as [EventFilterInput, ResourceLookup][]) {
      const p = plan(input, lookup);
      expect(p).toMatch(/SEARCH r USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\) \| SEARCH rk USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(p).not.toContain('resource_keys_1');
      expect(p).not.toContain('rkey_occurred');
    }
  });
});
