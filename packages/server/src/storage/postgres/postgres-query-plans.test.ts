import { formatDateTime, MICROS, parseEventFilter, toMicros, type Event, type NormalizedEventFilter } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempPostgresDatabase, type TempPostgres } from '../../test-support/temp-resources.js';
import type { Storage } from '../ports.js';
import { openPostgresStorage } from './open-postgres-storage.js';
import { PostgresDatabase } from './postgres-database.js';
import { countSql, GET_SQL, LAST_SEQ_SQL, pageSql, READ_LOG_SQL } from './postgres-event-queries.js';
import { PURGE_SQL } from './postgres-retention.js';

/*
 * EXPLAIN the statements the store runs, on a few thousand events spread over five day partitions
 * (plus some in the DEFAULT partition), and check that they read the indexes. Only the day partitions
 * are checked for sequential scans: the planner may rightly scan a small DEFAULT partition.
 */

const NOW = toMicros(Date.now());
// Events fill the five whole UTC days before today, so that every day partition holds enough rows for
// an index to pay off whatever the time of day the test runs (late in the day, the oldest partition of
// a window ending now held only a few dozen rows, and a sequential scan was rightly cheaper).
const TODAY = NOW - (NOW % MICROS.day);
const EVENTS = 4000;
const NAMES = [
  'prefect.flow-run.Completed',
  'prefect.flow-run.Running',
  'prefect.task-run.Completed',
  'prefect.work-pool.ready',
  'acme.model.refreshed',
];

const uuidOf = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function filter(input: unknown): NormalizedEventFilter {
  const r = parseEventFilter(input, { now: NOW, missingUntil: 'now' });
  if (!r.ok) throw new Error('bad filter');
  return r.filter;
}

describe('PostgreSQL query plans', () => {
  let temp: TempPostgres;
  let storage: Storage;
  let db: PostgresDatabase;

  async function plan(sql: string, params: unknown[]): Promise<string> {
    const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const dayPartitionSeqScan = /Seq Scan on (events|event_resources)_p\d{8}/;

  beforeAll(async () => {
    temp = await createTempPostgresDatabase();
    storage = await openPostgresStorage({ url: temp.url });
    db = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
    for (let start = 0; start < EVENTS; start += 1000) {
      const records = Array.from({ length: 1000 }, (_, i) => {
        const n = start + i;
        const occurred = n % 20 === 0 ? NOW - 3000 * MICROS.day - n : TODAY - 1 - Math.floor((n / EVENTS) * 5 * MICROS.day);
        const event: Event = {
          occurred: formatDateTime(occurred),
          event: NAMES[n % NAMES.length]!,
          resource: { 'prefect.resource.id': `prefect.flow-run.${n % 700}`, 'prefect.resource.name': `run-${n % 700}` },
          related: [
            { 'prefect.resource.id': `prefect.deployment.${n % 7}`, 'prefect.resource.role': 'deployment' },
            { 'prefect.resource.id': `prefect.flow.${n % 3}`, 'prefect.resource.role': 'flow' },
          ],
          payload: { n },
          id: uuidOf(n),
          // One event in ten follows another: event k is followed by 100k + 10, 100k + 20, … (ten of them).
          follows: n % 10 === 0 && n >= 100 ? uuidOf(Math.floor(n / 100)) : null,
        };
        const r = normalizeEvent(event, NOW, { maxEventBytes: 1_500_000, path: [] });
        if (!r.ok) throw new Error('bad fixture');
        return r.record;
      });
      await storage.events.append(records);
    }
    await db.query('ANALYZE events, event_resources');
  });
  afterAll(async () => {
    await db.end();
    await storage.close();
    await temp.drop();
  });

  it('walks the (occurred, seq) index for the newest page and stops at LIMIT', async () => {
    const { sql, params } = pageSql({ filter: filter({}), limit: 50 });
    const text = await plan(sql, params);
    expect(text).toMatch(/Limit[\s\S]*Merge Append[\s\S]*Index Scan Backward using events_p\d{8}_pkey/);
    expect(text).not.toMatch(dayPartitionSeqScan);
  });

  it('puts the keyset cursor into the index condition, in both orders', async () => {
    for (const order of ['ASC', 'DESC']) {
      const { sql, params } = pageSql({ filter: filter({ order }), limit: 50, after: { occurred: NOW - 2 * MICROS.day, seq: 1500 } });
      const text = await plan(sql, params);
      expect(text).toMatch(order === 'ASC' ? /Index Cond: .*ROW\(occurred, seq\) > ROW/ : /Index Cond: .*ROW\(occurred, seq\) < ROW/);
      expect(text).not.toMatch(dayPartitionSeqScan);
    }
  });

  it('reads an exact event name and a primary resource id through indexes', async () => {
    const byName = pageSql({ filter: filter({ event: { name: ['prefect.work-pool.ready'] } }), limit: 50 });
    expect(await plan(byName.sql, byName.params)).not.toMatch(dayPartitionSeqScan);
    const byResource = pageSql({ filter: filter({ resource: { id: ['prefect.flow-run.5'] } }), limit: 50 });
    const text = await plan(byResource.sql, byResource.params);
    expect(text).toMatch(/event_resources_p\d{8}_resource_id_occurred_seq_idx/);
    expect(text).not.toMatch(dayPartitionSeqScan);
  });

  it('reads followers through the partial follows index of each day partition', async () => {
    for (const ids of [[uuidOf(7)], [uuidOf(7), uuidOf(8)]]) {
      const page = pageSql({ filter: filter({ follows: { id: ids } }), limit: 50 });
      const text = await plan(page.sql, page.params);
      expect(text).toMatch(/(Index|Bitmap Index) Scan (Backward )?(using|on) events_p\d{8}_follows_occurred_seq_idx/);
      expect(text).not.toMatch(dayPartitionSeqScan);
      const count = countSql(filter({ follows: { id: ids } }));
      const counted = await plan(count.sql, count.params);
      expect(counted).toMatch(/events_p\d{8}_follows_occurred_seq_idx/);
      expect(counted).not.toMatch(dayPartitionSeqScan);
    }
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_indexes WHERE indexname LIKE 'events_%follows%' AND indexdef LIKE '%WHERE (follows IS NOT NULL)'",
    );
    // One per partition: the day partitions and the DEFAULT one.
    expect(rows[0]!.n).toBeGreaterThanOrEqual(6);
  });

  it('counts a narrow window from the (occurred, seq) index', async () => {
    const { sql, params } = countSql(filter({ occurred: { since: formatDateTime(TODAY - MICROS.hour), until: formatDateTime(TODAY) } }));
    const text = await plan(sql, params);
    expect(text).toMatch(/Index (Only )?Scan using events_p\d{8}_pkey|Bitmap Index Scan on events_p\d{8}_pkey/);
    expect(text).not.toMatch(dayPartitionSeqScan);
  });

  it('finds an id, reads the log and the last seq through indexes', async () => {
    expect(await plan(GET_SQL, ['00000000-0000-4000-8000-000000000005'])).toMatch(/Index Scan using events_p\d{8}_id_idx/);
    const log = await plan(READ_LOG_SQL, [100, 50]);
    expect(log).toMatch(/Merge Append[\s\S]*Index Scan using events_p\d{8}_seq_idx/);
    expect(log).not.toMatch(dayPartitionSeqScan);
    expect(await plan(LAST_SEQ_SQL, [])).toMatch(/Index Only Scan Backward using events_p\d{8}_seq_idx/);
  });

  // Last: it purges.
  it('deletes retention batches by index ranges', async () => {
    // As in a real purge: the whole days below the cutoff are dropped first; the cutoff cuts the oldest day left.
    const dayStart = Math.floor((NOW - 3 * MICROS.day) / MICROS.day) * MICROS.day;
    expect(await storage.events.purgeBefore(dayStart)).toBeGreaterThan(0);
    await db.query('ANALYZE events, event_resources');
    const cutoff = dayStart + MICROS.hour;
    for (const [sql, params] of [
      [PURGE_SQL.bound, [cutoff, 99]],
      [PURGE_SQL.eventsUpTo, [cutoff, cutoff - MICROS.minute, 10]],
      [PURGE_SQL.resources, [cutoff, [1, 2, 3]]],
    ] as const) {
      expect(await plan(sql, [...params])).not.toMatch(dayPartitionSeqScan);
    }
  });
});
