import { formatDateTime, MICROS, parseEventFilter, type Event, type EventFilterInput, type NormalizedEventFilter } from '@herald/core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempDir, createTempPostgresDatabase, type TempDir, type TempPostgres } from '../../test-support/temp-resources.js';
import type { EventPageQuery, Storage } from '../ports.js';
import { openPostgresStorage } from '../postgres/open-postgres-storage.js';
import { PostgresDatabase } from '../postgres/postgres-database.js';
import { pageSql as postgresPageSql } from '../postgres/postgres-event-queries.js';
import { openSqliteStorage, sqliteDatabaseFile } from '../sqlite/open-sqlite-storage.js';
import { pageSql as sqlitePageSql } from '../sqlite/sqlite-event-queries.js';
import { findDrivingResource } from './resource-driver.js';

/*
 * A page whose filter names one resource id walks that resource's index range in page order and stops
 * after LIMIT. The differential test checks the results; this one checks which resource drives, and that
 * both stores really run the walk: no sort of every event of the resource, no scan of the window.
 */

const NOW = Date.UTC(2026, 10, 22, 12) * 1000;
const FLOW = 'prefect.flow.0';

function filter(input: EventFilterInput): NormalizedEventFilter {
  const r = parseEventFilter(input, { now: NOW, missingUntil: 'now' });
  if (!r.ok) throw new Error('bad filter');
  return r.filter;
}

describe('findDrivingResource', () => {
  it('prefers a single primary id, then the first related clause, then any_resource', () => {
    expect(findDrivingResource(filter({ resource: { id: ['a'] }, related: { id: ['b'] } }))).toMatchObject({ id: 'a', scope: 'primary' });
    expect(
      findDrivingResource(filter({ resource: { id: ['a', 'c'] }, related: { id: ['b'] }, any_resource: { id: ['d'] } })),
    ).toMatchObject({
      id: 'b',
      scope: 'related',
    });
    expect(
      findDrivingResource(
        filter({
          related: [
            { role: ['flow'] },
            {
              resources_in_roles: [
                ['b', 'x'],
                ['b', 'y'],
              ],
            },
          ],
        }),
      ),
    ).toMatchObject({
      id: 'b',
      scope: 'related',
    });
    expect(findDrivingResource(filter({ any_resource: [{ id: ['d', 'e'] }, { id: ['f', 'f'] }] }))).toMatchObject({
      id: 'f',
      scope: 'any',
    });
  });

  it('leaves filters without a single exact id, or with exact event names, ids or follows ids, to the events indexes', () => {
    for (const input of [
      {},
      { resource: { id: ['a', 'b'], id_prefix: ['a'] } },
      { related: { id: ['a', 'b'], role: ['flow'] } },
      { any_resource: { id_prefix: ['a'], labels: { 'prefect.resource.id': 'a' } } },
      { event: { prefix: ['prefect.'] } },
      { related: { id: ['a'] }, event: { name: ['prefect.flow-run.Completed'] } },
      { resource: { id: ['a'] }, id: { id: ['00000000-0000-4000-8000-000000000001'] } },
      { any_resource: { id: ['a'] }, follows: { id: ['00000000-0000-4000-8000-000000000001'] } },
    ] as EventFilterInput[]) {
      expect(findDrivingResource(filter(input))).toBeUndefined();
    }
  });

  it('drops the driving clause from what is left to check only when the driving row proves all of it', () => {
    const idOnly = filter({ related: [{ id: ['b'] }, { role: ['flow'] }] });
    expect(findDrivingResource(idOnly)?.rest.related).toEqual([{ roles: ['flow'] }]);
    const withRole = filter({ related: { id: ['b'], role: ['flow'] } });
    expect(findDrivingResource(withRole)?.rest).toEqual(withRole);
    const primary = filter({ resource: { id: ['a'], id_prefix: ['a'] } });
    expect(findDrivingResource(primary)?.rest.resource).toEqual({ ids: undefined, idPrefixes: ['a'] });
  });
});

/** 3,000 events over five days: a flow in a third of them, a deployment in a tenth, 600 primary resources. */
function records() {
  return Array.from({ length: 3000 }, (_, n) => {
    const event: Event = {
      occurred: formatDateTime(NOW - Math.floor((n / 3000) * 5 * MICROS.day)),
      event: n % 2 ? 'prefect.flow-run.Completed' : 'prefect.task-run.Running',
      resource: { 'prefect.resource.id': `prefect.flow-run.${n % 600}` },
      related: [
        { 'prefect.resource.id': `prefect.flow.${n % 3}`, 'prefect.resource.role': 'flow' },
        { 'prefect.resource.id': `prefect.deployment.${n % 10}`, 'prefect.resource.role': 'deployment' },
      ],
      payload: {},
      id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
      follows: null,
    };
    const r = normalizeEvent(event, NOW, { maxEventBytes: 1_500_000, path: [] });
    if (!r.ok) throw new Error('bad fixture');
    return r.record;
  });
}

/** Filters driven by a busy resource: the flow is in a third of the events. */
const BUSY: [string, EventFilterInput][] = [
  ['related id', { related: { id: [FLOW] } }],
  ['any_resource id', { any_resource: { id: [FLOW] } }],
  ['related pair', { related: { resources_in_roles: [[FLOW, 'flow']] } }],
];
const PRIMARY: EventFilterInput = { resource: { id: ['prefect.flow-run.7'] }, event: { prefix: ['prefect.'] } };

function queries(input: EventFilterInput): EventPageQuery[] {
  return (['DESC', 'ASC'] as const).flatMap((order) => [
    { filter: filter({ ...input, order }), limit: 50 },
    { filter: filter({ ...input, order }), limit: 50, after: { occurred: NOW - 2 * MICROS.day, seq: 1800 } },
  ]);
}

describe('SQLite walks the driving resource rows in page order', () => {
  let dir: TempDir;
  let storage: Storage;
  let db: Database.Database;
  beforeAll(async () => {
    dir = createTempDir('herald-resource-driver-');
    storage = await openSqliteStorage({ dataDir: dir.path });
    await storage.events.append(records());
    db = new Database(sqliteDatabaseFile(dir.path), { readonly: true });
  });
  afterAll(async () => {
    db?.close();
    await storage?.close();
    dir?.remove();
  });

  it.each([...BUSY, ['primary id with a prefix', PRIMARY] as const])('for a %s', (_, input) => {
    for (const query of queries(input)) {
      const { sql, params } = sqlitePageSql(query);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      // Two ordered arms merged: the index walk in page order (no sort, so LIMIT stops it), and the
      // rows not yet indexed by rowid range, sorted on their own.
      expect(plan.slice(0, 3)).toEqual([expect.stringMatching(/^CO-ROUTINE/), 'MERGE (UNION ALL)', 'LEFT']);
      const right = plan.indexOf('RIGHT');
      const indexed = plan.slice(3, right);
      expect(indexed[0]).toBe('SEARCH dk USING COVERING INDEX sqlite_autoindex_resource_keys_1 (resource_id=?)');
      expect(indexed[1]).toMatch(
        /^SEARCH d USING (COVERING )?INDEX event_resource_rows__rkey_occurred \(rkey=\? AND occurred>\? AND occurred<\?\)$/,
      );
      expect(indexed).toContain('SEARCH e USING INTEGER PRIMARY KEY (rowid=?)');
      expect(indexed.join('\n')).not.toMatch(/TEMP B-TREE|SCAN|AUTOMATIC|events__occurred/);
      const pending = plan.slice(right + 1, plan.findIndex((step) => step.startsWith('SCAN (subquery')));
      expect(pending[0]).toBe('SEARCH d USING INTEGER PRIMARY KEY (rowid>?)');
      expect(pending.join('\n')).not.toMatch(/SCAN|AUTOMATIC|events__occurred/);
    }
  });
});

describe('PostgreSQL walks the driving resource rows in page order', () => {
  let temp: TempPostgres;
  let storage: Storage;
  let db: PostgresDatabase;
  beforeAll(async () => {
    temp = await createTempPostgresDatabase('herald_resource_driver');
    storage = await openPostgresStorage({ url: temp.url, now: () => NOW });
    await storage.events.append(records());
    db = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
    await db.query('ANALYZE events, event_resources');
  });
  afterAll(async () => {
    await db?.end();
    await storage?.close();
    await temp?.drop();
  });

  async function plan(query: EventPageQuery): Promise<string> {
    const { sql, params } = postgresPageSql(query);
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const dayPartitionScan = /Seq Scan on (events|event_resources)_p\d{8}|Hash/;

  it.each(BUSY)('for a %s', async (_, input) => {
    for (const query of queries(input)) {
      const text = await plan(query);
      // The index ranges are merged in page order, joined one by one, and LIMIT stops the walk.
      expect(text).toMatch(/^Limit\n\s+->\s+Nested Loop\n\s+->\s+Merge Append\n\s+Sort Key: d\.occurred( DESC)?, d\.seq/);
      expect(text).toMatch(/Index Scan (Backward )?using event_resources_p\d{8}_resource_id_occurred_seq_idx/);
      if (query.after) expect(text).toMatch(/Index Cond: .*ROW\(occurred, seq\) [<>] ROW/);
      expect(text).not.toMatch(dayPartitionScan);
      expect(text).not.toMatch(/->\s+Sort\n/);
    }
  });

  it('for a primary id, reading only that resource rows (a few, which it may sort)', async () => {
    for (const query of queries(PRIMARY)) {
      const text = await plan(query);
      expect(text).toMatch(/Index Scan (Backward )?using event_resources_p\d{8}_resource_id_occurred_seq_idx/);
      expect(text).not.toMatch(dayPartitionScan);
    }
  });
});
