import { MICROS, type NormalizedEventFilter } from '@herald/core';
import { compileFilterWhere, type SqlFragment } from '../sql/filter-compiler.js';

/*
 * Counts from the daily rollup `event_day_counts (day, event, count)`: the number of stored events per
 * UTC day (days since the epoch) and event name. The writer worker changes it in the same transaction
 * as the rows it inserts or purges (`sqlite-writer-source.ts`; duplicates and conflicts insert nothing,
 * so they count nothing), and migration 2 built it from the events already stored. It is therefore
 * exact, and a count read from it equals `count(*)` over `events`.
 *
 * Why: the total of "newest 50 with a prefix" counted every match in `events__occurred` (about 350k
 * index entries, 120 ms at 1M events), while the rollup holds a few rows per day.
 */

const DAY = MICROS.day;

/**
 * Whether a filter constrains only `occurred` and the event name (prefixes, excluded prefixes, names,
 * excluded names), so that the rollup can count it. `distinct` counts resources, which it does not hold.
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
    filter.text === undefined
  );
}

/**
 * The count of a rollup-countable filter in one statement, or null when the rollup cannot help (the
 * filter has other conditions, or its window holds no whole UTC day): the whole days of the window
 * are summed from `event_day_counts`, and the partial days at its edges are counted from `events`
 * with the same filter cut to those ranges (each a range of `events__occurred`).
 *
 * The rollup part reuses `compileFilterWhere`, so the event conditions keep their exact semantics
 * (code-point prefixes, never LIKE): it compiles the filter with the window in days over a subquery
 * that names `day` as `occurred`, which SQLite flattens into a range of the rollup's primary key.
 * One statement reads one snapshot, so a commit between the parts cannot make the sum inexact.
 *
 * @example
 * rollupCountSql({ ...filter, since: T, until: T + 3 * MICROS.day }) // T not midnight: 2 days from the rollup, 2 edges
 * // { sql: 'SELECT (SELECT coalesce(sum(e.count), 0) FROM (SELECT day AS occurred, …) e WHERE …) + (SELECT count(*) FROM events e WHERE …) + …', params: […] }
 */
export function rollupCountSql(filter: NormalizedEventFilter): SqlFragment | null {
  if (!isRollupCountable(filter)) return null;
  const { since, until } = filter;
  if (!Number.isSafeInteger(since) || (until !== null && !Number.isSafeInteger(until))) return null;
  const wholeFrom = ceilToDay(since);
  // The end (exclusive) of the last whole day; none when the window is unbounded.
  const wholeTo = until === null ? null : floorToDay(until + 1);
  if (!Number.isSafeInteger(wholeFrom) || (wholeTo !== null && wholeTo <= wholeFrom)) return null;

  const parts: string[] = [];
  const params: unknown[] = [];
  const days = compileFilterWhere({ ...filter, since: wholeFrom / DAY, until: wholeTo === null ? null : wholeTo / DAY - 1 }, 'sqlite');
  parts.push(`(SELECT coalesce(sum(e.count), 0) FROM (SELECT day AS occurred, event, count FROM event_day_counts) e WHERE ${days.sql})`);
  params.push(...days.params);
  const edges: [number, number][] = [];
  if (since < wholeFrom) edges.push([since, wholeFrom - 1]);
  if (until !== null && wholeTo !== null && until >= wholeTo) edges.push([wholeTo, until]);
  for (const [from, to] of edges) {
    const edge = compileFilterWhere({ ...filter, since: from, until: to }, 'sqlite');
    parts.push(`(SELECT count(*) FROM events e WHERE ${edge.sql})`);
    params.push(...edge.params);
  }
  return { sql: `SELECT ${parts.join(' + ')}`, params };
}

/** The start of t's UTC day. Exact: `%` on doubles holding safe integers is. */
function floorToDay(t: number): number {
  return t - (((t % DAY) + DAY) % DAY);
}

/** The start of the first UTC day that begins at or after t. */
function ceilToDay(t: number): number {
  const start = floorToDay(t);
  return start === t ? t : start + DAY;
}
