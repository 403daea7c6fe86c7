import type { NormalizedEventFilter } from '@herald/core';
import type { EventCursor, EventPageQuery } from '../ports.js';
import { compileFilterWhere, type SqlFragment } from '../sql/filter-compiler.js';
import { findDrivingResource, sqlFirstOfEvent, type DrivingResource } from '../sql/resource-driver.js';
import { positionTest } from '../sql/resource-sql.js';
import { SqlParams } from '../sql/sql-params.js';
import { rollupCountByEventSql, rollupCountSql } from './sqlite-event-counts.js';
import { UNINDEXED_FROM_SQL } from './sqlite-resource-tail.js';

/*
 * The SQL of the SQLite event store's reads. `compileFilterWhere` supplies the condition over
 * `events e`; these builders add ordering, the keyset cursor, LIMIT and the groupings (`distinct`
 * pages and count by resource are in `sqlite-resource-reads.ts`, count by time in
 * `sqlite-time-buckets.ts`). SQLite placeholders are positional, so parameters are listed in the order their `?` appear. The
 * builders are pure, so the query-plan test can EXPLAIN exactly what the store runs.
 */

/**
 * One keyset page ordered by `(occurred, seq)` in the filter's order, strictly after the cursor
 * (without `distinct`; see `readDistinctPage`).
 *
 * The cursor's `occurred` replaces the filter's bound on that side (`until` for DESC, `since` for ASC)
 * before the filter is compiled, so the index walk starts at the cursor: with two upper bounds on one
 * column SQLite seeks on one of them and only filters by the other, and a deep page then scanned every
 * newer entry (27 ms at 1M events, now 0.1 ms). Only the tie on `occurred` is left to an extra condition.
 *
 * When one resource id drives the filter (`findDrivingResource`), the page walks that resource's rows of
 * `event_resource_rows__rkey_occurred` (and the rows not yet in it); otherwise `events__occurred`. Both walks are in page order, so
 * SQLite stops after LIMIT matches.
 *
 * @example
 * pageSql({ filter, limit: 50 }).sql // 'SELECT e.json, … WHERE e.seq IN (SELECT e.seq … LIMIT ?) ORDER BY e.occurred DESC, e.seq DESC'
 */
export function pageSql({ filter, limit, after }: EventPageQuery): SqlFragment {
  const narrowed = after ? narrowToCursor(filter, after) : filter;
  if (narrowed === null) return { sql: 'SELECT json, occurred, seq FROM events WHERE 0', params: [] };
  const dir = filter.order === 'ASC' ? 'ASC' : 'DESC';
  const cmp = dir === 'ASC' ? '>' : '<';
  const tie = { sql: after ? ` AND (e.occurred ${cmp} ? OR e.seq ${cmp} ?)` : '', params: after ? [after.occurred, after.seq] : [] };
  const driver = findDrivingResource(narrowed);
  if (driver) return resourceWalkSql(narrowed, driver, tie, limit);
  const where = compileFilterWhere(narrowed, 'sqlite');
  const order = `ORDER BY e.occurred ${dir}, e.seq ${dir}`;
  // The keys are ordered and limited first and the JSON read only for the page: when the matches
  // come from a resource subquery (several ids), SQLite otherwise sorts every match with its JSON.
  return {
    sql: `SELECT e.json, e.occurred, e.seq FROM events e
      WHERE e.seq IN (SELECT e.seq FROM events e WHERE ${where.sql}${tie.sql} ${order} LIMIT ?) ${order}`,
    params: [...where.params, ...tie.params, limit],
  };
}

/**
 * A page driven by one resource: walk its rows `d` by `(rkey, occurred, rid)` in page order (`rid`
 * orders like `seq` within one `occurred`), keep the first row of each event, look the event up by
 * rowid and apply the whole filter to it, resource clauses by rowid range (`per-event`). The joins are
 * `CROSS JOIN`s so that SQLite keeps this order whatever its statistics say.
 *
 * The rows not yet in the resource index (`sqlite-resource-tail.ts`) are a second arm, a rowid range
 * scan sorted on its own. SQLite merges the two ordered arms (`MERGE (UNION ALL)`), so the index walk
 * still stops after LIMIT. The arms order by the row's columns, which the index delivers in order.
 */
function resourceWalkSql(filter: NormalizedEventFilter, driver: DrivingResource, tie: SqlFragment, limit: number): SqlFragment {
  const dir = filter.order === 'ASC' ? 'ASC' : 'DESC';
  // Placeholders are positional: both arms repeat the filter's text, so its parameters go in twice.
  const where = compileFilterWhere(driver.rest, 'sqlite', { resourceLookup: 'per-event' });
  const params: unknown[] = [];
  const arm = (rows: (p: SqlParams) => string, from: string) => {
    const p = new SqlParams('sqlite');
    const conditions = `${rows(p)} AND d.occurred >= ${p.add(filter.since)}${
      filter.until === null ? '' : ` AND d.occurred <= ${p.add(filter.until)}`
    }${positionTest('d', driver.scope, p)}`;
    params.push(...p.values, ...tie.params, ...where.params);
    return `SELECT e.json, d.occurred, d.rid FROM ${from}
      WHERE ${conditions} AND e.seq = d.rid >> 10${tie.sql} AND ${where.sql}${sqlFirstOfEvent(driver.scope, 'sqlite')}`;
  };
  const indexed = arm(
    (p) => `dk.resource_id = ${p.add(driver.id)} AND d.rkey = dk.rkey AND d.pending IS NULL`,
    'resource_keys dk CROSS JOIN event_resource_rows d CROSS JOIN events e',
  );
  const pending = arm(
    (p) => `d.rid >= ${UNINDEXED_FROM_SQL} AND d.pending = 1 AND d.rkey = (SELECT rkey FROM resource_keys WHERE resource_id = ${p.add(driver.id)})`,
    'event_resource_rows d CROSS JOIN events e',
  );
  return {
    sql: `SELECT json, occurred, rid >> 10 AS seq FROM (${indexed}
      UNION ALL ${pending}
      ORDER BY 2 ${dir}, 3 ${dir} LIMIT ?) ORDER BY occurred ${dir}, seq ${dir}`,
    params: [...params, limit],
  };
}

/**
 * The keys `[resource_id, occurred, seq]` of every matching event, in page order when `ordered`.
 * `events__occurred` covers them, so no table row is read.
 */
export function matchingKeysSql(filter: NormalizedEventFilter, ordered: boolean): SqlFragment {
  const where = compileFilterWhere(filter, 'sqlite');
  const dir = filter.order === 'ASC' ? 'ASC' : 'DESC';
  const order = ordered ? ` ORDER BY e.occurred ${dir}, e.seq ${dir}` : '';
  return { sql: `SELECT e.resource_id, e.occurred, e.seq FROM events e WHERE ${where.sql}${order}`, params: where.params };
}

/** The filter with its window cut at the cursor (inclusive: ties are settled by seq), or null when empty. */
function narrowToCursor(filter: NormalizedEventFilter, after: EventCursor): NormalizedEventFilter | null {
  if (filter.order === 'ASC') {
    const since = Math.max(filter.since, after.occurred);
    return filter.until !== null && since > filter.until ? null : { ...filter, since };
  }
  const until = filter.until === null ? after.occurred : Math.min(filter.until, after.occurred);
  return until < filter.since ? null : { ...filter, until };
}

/** Matching events (not for `distinct`: see `distinctResourcesSql`); from the rollups when they can. */
export function countSql(filter: NormalizedEventFilter): SqlFragment {
  const rollup = rollupCountSql(filter);
  if (rollup) return rollup;
  const where = compileFilterWhere(filter, 'sqlite');
  return { sql: `SELECT count(*) FROM events e WHERE ${where.sql}`, params: where.params };
}

/**
 * The distinct primary resource ids of the matching events, one row each, for a count that walks them
 * in slices (`countDistinctResources`): `count(DISTINCT …)` would be one call of 0.7 s at 1M events.
 */
export function distinctResourcesSql(filter: NormalizedEventFilter): SqlFragment {
  const where = compileFilterWhere(filter, 'sqlite');
  return { sql: `SELECT DISTINCT e.resource_id FROM events e WHERE ${where.sql}`, params: where.params };
}

/**
 * Counts per absolute bucket `floor((occurred - pivot) / delta)` in one GROUP BY (the fallback of
 * `readCountByTime` for very many buckets). SQLite's integer `/` truncates towards zero and `%` takes
 * the dividend's sign, so one is subtracted when the remainder is negative.
 */
export function countByTimeSql(filter: NormalizedEventFilter, grid: { pivot: number; delta: number }): SqlFragment {
  const where = compileFilterWhere(filter, 'sqlite');
  // better-sqlite3 binds a JS number as REAL, which would make `/` a real division; a BigInt binds as INTEGER.
  const pivot = BigInt(grid.pivot);
  const delta = BigInt(grid.delta);
  return {
    sql: `SELECT (e.occurred - ?) / ? - ((e.occurred - ?) % ? < 0) AS bucket, count(*) AS count
      FROM events e WHERE ${where.sql} GROUP BY bucket ORDER BY bucket`,
    params: [pivot, delta, pivot, delta, ...where.params],
  };
}

/** Counts per event name: count desc, then name asc (byte order); from the rollups when they can. */
export function countByEventSql(filter: NormalizedEventFilter): SqlFragment {
  const rollup = rollupCountByEventSql(filter);
  if (rollup) return rollup;
  const where = compileFilterWhere(filter, 'sqlite');
  return {
    sql: `SELECT e.event AS value, e.event AS label, count(*) AS count, min(e.occurred) AS first, max(e.occurred) AS last
      FROM events e WHERE ${where.sql} GROUP BY e.event ORDER BY count DESC, value ASC`,
    params: where.params,
  };
}

/** The fixed statements of the read side. */
export const SQLITE_READ_SQL = {
  get: 'SELECT json, occurred, seq FROM events WHERE id = ?',
  bySeq: 'SELECT json, occurred, seq FROM events WHERE seq = ?',
  primaryLabels: 'SELECT labels FROM event_resource_rows WHERE rid = ?',
  maxOccurred: 'SELECT max(occurred) FROM events',
  readLog: 'SELECT seq, json FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  lastSeq: 'SELECT max(coalesce((SELECT last_seq FROM log_position WHERE id = 1), 0), coalesce((SELECT max(seq) FROM events), 0))',
  pageCount: 'PRAGMA page_count',
  pageSize: 'PRAGMA page_size',
} as const;
