import { MICROS, type NormalizedEventFilter } from '@herald/core';
import { compileFilterWhere, type SqlFragment } from '../sql/filter-compiler.js';

/*
 * Counts from the rollups `event_day_counts (day, event, count)` and `event_minute_counts (minute,
 * event, count)`: the number of stored events per UTC day (days since the epoch) or minute (minutes
 * since the epoch) and event name. The writer worker changes both in the same transaction as the rows
 * it inserts or purges (`sqlite-writer-source.ts`; duplicates and conflicts insert nothing, so they
 * count nothing), and their migrations built them from the events already stored. They are therefore
 * exact, and a count read from them equals `count(*)` over `events`.
 *
 * Why: the total of "newest 200 with a prefix" over the past 24 h counted every match in
 * `events__occurred` (333k index entries, 250 ms at 1M events); a 24 h window never holds a whole UTC
 * day, so the daily rollup alone could not help. The rollups hold a few rows per day or minute.
 */

const DAY = MICROS.day;
const MINUTE = MICROS.minute;

/** A rollup table, read as `e` with its unit renamed `occurred` so that `compileFilterWhere` applies. */
const ROLLUPS = [
  { unit: DAY, from: '(SELECT day AS occurred, event, count FROM event_day_counts) e' },
  { unit: MINUTE, from: '(SELECT minute AS occurred, event, count FROM event_minute_counts) e' },
] as const;

/** One piece of a window: whole units of a rollup (`rollup` set, bounds in units), or a range of `events` (µs). */
interface Piece {
  rollup: (typeof ROLLUPS)[number] | null;
  since: number;
  /** Inclusive; null when unbounded. */
  until: number | null;
}

/**
 * Whether a filter constrains only `occurred` and the event name (prefixes, excluded prefixes, names,
 * excluded names), so that the rollups can count it. `distinct` counts resources, which they do not hold.
 *
 * @example
 * isRollupCountable({ ...filter, event: { prefixes: ['prefect.flow-run.'] } }) // true
 * isRollupCountable({ ...filter, resource: { ids: ['acme.model.churn'] } })      // false
 */
export function isRollupCountable(filter: NormalizedEventFilter): boolean {
  return (
    !filter.distinct &&
    Object.values(filter.resource).every((condition) => condition === undefined) &&
    filter.related.length === 0 &&
    filter.anyResource.length === 0 &&
    filter.ids === undefined &&
    filter.follows === undefined &&
    filter.text === undefined
  );
}

/**
 * The count of a rollup-countable filter in one statement, or null when the rollups cannot help (the
 * filter has other conditions, or its window holds no whole UTC minute): the whole days of the window
 * are summed from `event_day_counts`, the whole minutes of the partial days at its edges from
 * `event_minute_counts`, and the partial minutes at its edges are counted from `events` with the same
 * filter cut to those ranges (each a range of `events__occurred`).
 *
 * The rollup parts reuse `compileFilterWhere`, so the event conditions keep their exact semantics
 * (code-point prefixes, never LIKE): it compiles the filter with the window in days or minutes over a
 * subquery that names the unit `occurred`, which SQLite flattens into a range of the rollup's primary
 * key. One statement reads one snapshot, so a commit between the parts cannot make the sum inexact.
 *
 * @example
 * rollupCountSql({ ...filter, since: T, until: T + 3 * MICROS.day }) // T at 10:00:30: 2 whole days, 2 × 14 h of minutes, 2 edges
 * // { sql: 'SELECT (SELECT coalesce(sum(e.count), 0) FROM (SELECT day AS occurred, …) e WHERE …) + … + (SELECT count(*) FROM events e WHERE …)', params: […] }
 */
export function rollupCountSql(filter: NormalizedEventFilter): SqlFragment | null {
  const pieces = rollupPieces(filter);
  if (pieces === null) return null;
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const piece of pieces) {
    const where = compileFilterWhere({ ...filter, since: piece.since, until: piece.until }, 'sqlite');
    parts.push(
      piece.rollup
        ? `(SELECT coalesce(sum(e.count), 0) FROM ${piece.rollup.from} WHERE ${where.sql})`
        : `(SELECT count(*) FROM events e WHERE ${where.sql})`,
    );
    params.push(...where.params);
  }
  return { sql: `SELECT ${parts.join(' + ')}`, params };
}

/**
 * Count by event name of a rollup-countable filter, or null as for {@link rollupCountSql}: the counts
 * per name are summed over the same pieces, and each name's first and last `occurred` in the window
 * are two seeks of `events__event_occurred`. Rows: count desc, then name asc (byte order), as
 * `countByEventSql`.
 *
 * @example
 * rollupCountByEventSql(filter)?.sql // 'SELECT r.event AS value, r.event AS label, sum(r.n) AS count, (SELECT min(x.occurred) …) AS first, … GROUP BY r.event …'
 */
export function rollupCountByEventSql(filter: NormalizedEventFilter): SqlFragment | null {
  const pieces = rollupPieces(filter);
  if (pieces === null) return null;
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const piece of pieces) {
    const where = compileFilterWhere({ ...filter, since: piece.since, until: piece.until }, 'sqlite');
    parts.push(
      piece.rollup
        ? `SELECT e.event, sum(e.count) AS n FROM ${piece.rollup.from} WHERE ${where.sql} GROUP BY e.event`
        : `SELECT e.event, count(*) AS n FROM events e WHERE ${where.sql} GROUP BY e.event`,
    );
    params.push(...where.params);
  }
  const upper = filter.until === null ? '' : ' AND x.occurred <= ?';
  const bounds = filter.until === null ? [filter.since] : [filter.since, filter.until];
  const seek = (fn: 'min' | 'max') => `(SELECT ${fn}(x.occurred) FROM events x WHERE x.event = r.event AND x.occurred >= ?${upper})`;
  return {
    sql: `SELECT r.event AS value, r.event AS label, sum(r.n) AS count, ${seek('min')} AS first, ${seek('max')} AS last
      FROM (${parts.join(' UNION ALL ')}) r GROUP BY r.event ORDER BY count DESC, value ASC`,
    params: [...bounds, ...bounds, ...params],
  };
}

/** The window of a rollup-countable filter cut into pieces, coarsest units first; null when no piece is a rollup. */
function rollupPieces(filter: NormalizedEventFilter): Piece[] | null {
  if (!isRollupCountable(filter)) return null;
  const { since, until } = filter;
  if (!Number.isSafeInteger(since) || (until !== null && !Number.isSafeInteger(until + 1))) return null;
  if (until !== null && until < since) return null;
  const pieces = split(since, until === null ? null : until + 1, 0);
  return pieces.some((piece) => piece.rollup !== null) ? pieces : null;
}

/** Cuts [from, to) (to null: unbounded) into whole units of ROLLUPS[level] and finer pieces at the edges. */
function split(from: number, to: number | null, level: number): Piece[] {
  if (to !== null && to <= from) return [];
  const rollup = ROLLUPS[level];
  if (rollup === undefined) return [{ rollup: null, since: from, until: to === null ? null : to - 1 }];
  const wholeFrom = ceilTo(from, rollup.unit);
  const wholeTo = to === null ? null : floorTo(to, rollup.unit);
  if (!Number.isSafeInteger(wholeFrom) || (wholeTo !== null && wholeTo <= wholeFrom)) return split(from, to, level + 1);
  return [
    ...split(from, wholeFrom, level + 1),
    { rollup, since: wholeFrom / rollup.unit, until: wholeTo === null ? null : wholeTo / rollup.unit - 1 },
    ...(wholeTo === null ? [] : split(wholeTo, to, level + 1)),
  ];
}

/** The start of t's unit. Exact: `%` on doubles holding safe integers is. */
function floorTo(t: number, unit: number): number {
  return t - (((t % unit) + unit) % unit);
}

/** The start of the first unit that begins at or after t. */
function ceilTo(t: number, unit: number): number {
  const start = floorTo(t, unit);
  return start === t ? t : start + unit;
}
