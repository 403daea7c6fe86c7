import { HeraldError, type NormalizedEventFilter } from '@herald/core';
import type { EventCursor, EventPageQuery } from '../ports.js';
import { compileFilterWhere, type SqlFragment } from '../sql/filter-compiler.js';

/*
 * The SQL of the SQLite event store's reads. `compileFilterWhere` supplies the condition over
 * `events e`; these builders add ordering, the keyset cursor, LIMIT, `distinct` and the groupings.
 * SQLite placeholders are positional, so parameters are listed in the order their `?` appear. The
 * builders are pure, so the query-plan test can EXPLAIN exactly what the store runs.
 */

/**
 * Strictly after the cursor in the page order. The redundant bound on `occurred` alone lets the
 * planner start its walk of `events__occurred` at the cursor instead of filtering from the end.
 */
function keyset(alias: string, order: 'ASC' | 'DESC', after: EventCursor | undefined): SqlFragment {
  if (!after) return { sql: '', params: [] };
  const cmp = order === 'ASC' ? '>' : '<';
  return {
    sql: ` AND ${alias}.occurred ${cmp}= ? AND (${alias}.occurred ${cmp} ? OR ${alias}.seq ${cmp} ?)`,
    params: [after.occurred, after.occurred, after.seq],
  };
}

/**
 * One keyset page ordered by `(occurred, seq)` in the filter's order. With `distinct`, each primary
 * resource is represented by its newest (DESC) or oldest (ASC) matching event (ties go to the seq
 * that comes first in that order); the cursor and LIMIT then apply to the representatives.
 *
 * @example
 * pageSql({ filter, limit: 50 }).sql // 'SELECT e.json, e.occurred, e.seq FROM events e WHERE (…) ORDER BY e.occurred DESC, e.seq DESC LIMIT ?'
 */
export function pageSql({ filter, limit, after }: EventPageQuery): SqlFragment {
  const dir = filter.order === 'ASC' ? 'ASC' : 'DESC';
  const where = compileFilterWhere(filter, 'sqlite');
  if (!filter.distinct) {
    const cursor = keyset('e', dir, after);
    return {
      sql: `SELECT e.json, e.occurred, e.seq FROM events e WHERE ${where.sql}${cursor.sql} ORDER BY e.occurred ${dir}, e.seq ${dir} LIMIT ?`,
      params: [...where.params, ...cursor.params, limit],
    };
  }
  const cursor = keyset('d', dir, after);
  return {
    sql: `SELECT ev.json, d.occurred, d.seq FROM (
        SELECT e.seq, e.occurred, row_number() OVER (PARTITION BY e.resource_id ORDER BY e.occurred ${dir}, e.seq ${dir}) AS rn
        FROM events e WHERE ${where.sql}
      ) d JOIN events ev ON ev.seq = d.seq
      WHERE d.rn = 1${cursor.sql} ORDER BY d.occurred ${dir}, d.seq ${dir} LIMIT ?`,
    params: [...where.params, ...cursor.params, limit],
  };
}

/** Matching events, or distinct primary resource ids with `distinct`. */
export function countSql(filter: NormalizedEventFilter): SqlFragment {
  const where = compileFilterWhere(filter, 'sqlite');
  const what = filter.distinct ? 'count(DISTINCT e.resource_id)' : 'count(*)';
  return { sql: `SELECT ${what} FROM events e WHERE ${where.sql}`, params: where.params };
}

/**
 * Counts per absolute bucket `floor((occurred - pivot) / delta)`. SQLite's integer `/` truncates
 * towards zero and `%` takes the dividend's sign, so one is subtracted when the remainder is negative.
 * `delta` must be a positive whole number of microseconds (as `domain/count-buckets.ts` makes it).
 */
export function countByTimeSql(filter: NormalizedEventFilter, grid: { pivot: number; delta: number }): SqlFragment {
  if (!Number.isSafeInteger(grid.delta) || grid.delta <= 0 || !Number.isSafeInteger(grid.pivot)) {
    throw new HeraldError('QUERY_INVALID', { details: { pivot: grid.pivot, delta: grid.delta } });
  }
  const where = compileFilterWhere(filter, 'sqlite');
  return {
    sql: `SELECT (e.occurred - ?) / ? - ((e.occurred - ?) % ? < 0) AS bucket, count(*) AS count
      FROM events e WHERE ${where.sql} GROUP BY bucket ORDER BY bucket`,
    params: [grid.pivot, grid.delta, grid.pivot, grid.delta, ...where.params],
  };
}

/** Counts per event name: count desc, then name asc (byte order). */
export function countByEventSql(filter: NormalizedEventFilter): SqlFragment {
  const where = compileFilterWhere(filter, 'sqlite');
  return {
    sql: `SELECT e.event AS value, e.event AS label, count(*) AS count, min(e.occurred) AS first, max(e.occurred) AS last
      FROM events e WHERE ${where.sql} GROUP BY e.event ORDER BY count DESC, value ASC`,
    params: where.params,
  };
}

/**
 * Counts per primary resource id, in one sort: a window over each resource's matching events, newest
 * first (a tie on `occurred` goes to the later seq), gives the count, the bounds and the newest event,
 * whose primary labels give the label: `prefect.resource.name`, else `prefect.name`, else the id.
 * Ordered by count desc, then label asc, then id, in byte order.
 */
export function countByResourceSql(filter: NormalizedEventFilter): SqlFragment {
  const where = compileFilterWhere(filter, 'sqlite');
  const all = 'w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING';
  return {
    sql: `SELECT m.resource_id AS value,
        coalesce(json_extract(r.labels, '$."prefect.resource.name"'), json_extract(r.labels, '$."prefect.name"'), m.resource_id) AS label,
        m.count, m.first, m.last
      FROM (
        SELECT e.resource_id, e.seq, row_number() OVER w AS rn,
          count(*) OVER (${all}) AS count, min(e.occurred) OVER (${all}) AS first, max(e.occurred) OVER (${all}) AS last
        FROM events e WHERE ${where.sql}
        WINDOW w AS (PARTITION BY e.resource_id ORDER BY e.occurred DESC, e.seq DESC)
      ) m LEFT JOIN event_resource_rows r ON r.rid = m.seq * 1024
      WHERE m.rn = 1
      ORDER BY m.count DESC, label ASC, value ASC`,
    params: where.params,
  };
}

/** The fixed statements of the read side. */
export const SQLITE_READ_SQL = {
  get: 'SELECT json, occurred, seq FROM events WHERE id = ?',
  readLog: 'SELECT seq, json FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  lastSeq: 'SELECT max(coalesce((SELECT last_seq FROM log_position WHERE id = 1), 0), coalesce((SELECT max(seq) FROM events), 0))',
  pageCount: 'PRAGMA page_count',
  pageSize: 'PRAGMA page_size',
} as const;
