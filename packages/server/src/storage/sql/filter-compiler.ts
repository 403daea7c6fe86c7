/*
 * Filter semantics. The in-memory matcher (domain/event-matcher.ts) implements exactly the same rules,
 * and filter-differential.test.ts checks both against random events on SQLite and PostgreSQL.
 *
 * - All parts are ANDed; a part that is not set constrains nothing.
 * - occurred: since <= occurred <= until (until null: no upper bound).
 * - event: the name starts with one of `prefixes`, with none of `excludePrefixes`, equals one of
 *   `names`, none of `excludeNames`. Plain strings: `*`, `%`, `_` are literal.
 * - resource (the primary): its id is one of `ids`, starts with one of `idPrefixes`, and every label
 *   condition holds on its full label map.
 * - label condition: the label is present and matches one of its patterns. `!p` means present and not
 *   matching `p`; a missing label never matches; no patterns match nothing. Patterns are
 *   case-sensitive fnmatch globs (`*`, `?`, `[a-z]`, `[!a]`), the same for every label, including
 *   `prefect.resource.id` and `prefect.resource.role`.
 * - related (each clause): ONE related resource (position > 0; never the primary) has its id in `ids`,
 *   its role in `roles` (exact), (id, role) equal to one of `pairs`, and every label condition.
 * - anyResource (each clause): ONE resource, primary or related, has its id in `ids`, an id starting
 *   with one of `idPrefixes`, and every label condition.
 * - ids: the event id is one of them.
 * - follows (Herald only): the event's `follows` is one of them; an event without `follows` never
 *   matches. It reads the partial index on `follows` (`events__follows`, both dialects).
 * - text: over the event's canonical JSON (`serializeEvent`, as stored and served) with ASCII letters
 *   lower-cased (terms are lower-cased the same way): some include term is a substring when there are
 *   include terms, no exclude term is, every required term is. `%` and `_` are literal.
 * `distinct` and `order` are not conditions: the adapters apply them, with keyset and LIMIT.
 */
import type { NormalizedEventFilter, TextQuery } from '@herald/core';
import { sqlResourceClause, type OccurredWindow, type ResourceLookup } from './resource-sql.js';
import { SqlParams, sqlInList, sqlOr, sqlStartsWith, type SqlDialectName } from './sql-params.js';
import { uuidToBlob } from './uuid-blob.js';

export interface FilterWhereOptions {
  /** PostgreSQL only: the number of parameters the caller binds before these (`$1..$offset`). */
  paramOffset?: number;
  /**
   * `index` (default): resource clauses with exact ids read the resource index. `per-event`: every
   * resource clause looks up the rows of the candidate event, for a query that another index drives to
   * few candidates (`findDrivingResource`).
   */
  resourceLookup?: ResourceLookup;
}

/** A boolean SQL expression and its bound parameters, in placeholder order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * Compiles a filter into a boolean SQL expression over the events table aliased `e`, with subqueries
 * on `event_resources` (schema in `docs/storage.md`). SQLite placeholders are `?`; PostgreSQL ones are
 * `$n`, numbered from `paramOffset + 1`. The expression is parenthesised, so it can be combined with the
 * adapter's keyset condition.
 *
 * Event-name prefixes are `substr(e.event, 1, n) = ?` on SQLite, not `e.event >= ? AND e.event < ?`:
 * a range lets the planner pick the (event, occurred) index and then sort every match (0.5 s at 1M
 * events, limits.md trap 1), while `substr` can use no index, so "newest 50 with this prefix" walks
 * `events__occurred` backwards and stops after 50 matches. It also keeps `_` and `%` literal.
 *
 * @example
 * const where = compileFilterWhere(filter, 'postgres', { paramOffset: 1 });
 * await client.query(`SELECT e.json FROM events e WHERE ${where.sql} ORDER BY e.occurred DESC, e.seq DESC LIMIT $1`, [50, ...where.params]);
 */
export function compileFilterWhere(filter: NormalizedEventFilter, dialect: SqlDialectName, options: FilterWhereOptions = {}): SqlFragment {
  const p = new SqlParams(dialect, options.paramOffset ?? 0);
  const lookup = options.resourceLookup ?? 'index';
  const window: OccurredWindow = { since: filter.since, until: filter.until };
  const parts: string[] = [`e.occurred >= ${p.add(filter.since)}`];
  if (filter.until !== null) parts.push(`e.occurred <= ${p.add(filter.until)}`);

  const { prefixes, excludePrefixes, names, excludeNames } = filter.event;
  if (prefixes) parts.push(sqlOr(prefixes.map((prefix) => sqlStartsWith('e.event', prefix, p))));
  for (const prefix of excludePrefixes ?? []) parts.push(`NOT (${sqlStartsWith('e.event', prefix, p)})`);
  if (names) parts.push(sqlInList('e.event', names, p));
  if (excludeNames) parts.push(`NOT (${sqlInList('e.event', excludeNames, p)})`);

  const { ids, idPrefixes, labels } = filter.resource;
  if (ids && lookup === 'index') {
    // The ids drive from the resource index; prefixes and labels are checked on the same primary row.
    parts.push(sqlResourceClause(filter.resource, 'primary', window, p)!);
  } else {
    // The events row carries the primary resource id.
    if (ids) parts.push(sqlInList('e.resource_id', ids, p));
    if (idPrefixes) parts.push(sqlOr(idPrefixes.map((prefix) => sqlStartsWith('e.resource_id', prefix, p))));
    if (labels) parts.push(sqlResourceClause({ labels }, 'primary', window, p, lookup)!);
  }
  for (const clause of filter.related) {
    const sql = sqlResourceClause(clause, 'related', window, p, lookup);
    if (sql) parts.push(sql);
  }
  for (const clause of filter.anyResource) {
    const sql = sqlResourceClause(clause, 'any', window, p, lookup);
    if (sql) parts.push(sql);
  }

  if (filter.ids) parts.push(sqlEventIdIn('e.id', filter.ids, p));
  if (filter.follows) parts.push(sqlEventIdIn('e.follows', filter.follows, p));
  if (filter.text) parts.push(...sqlTextQuery(filter.text, p));
  return { sql: `(${parts.join(' AND ')})`, params: p.values };
}

/**
 * An event-id column (`e.id` or `e.follows`) is one of the canonical UUIDs (SQLite: 16-byte BLOBs;
 * PostgreSQL: `uuid`). A NULL `follows` is never equal, so such events never match.
 */
function sqlEventIdIn(column: 'e.id' | 'e.follows', ids: readonly string[], p: SqlParams): string {
  if (p.dialect === 'postgres') return ids.length === 1 ? `${column} = ${p.add(ids[0])}::uuid` : `${column} = ANY(${p.add(ids)}::uuid[])`;
  return ids.length === 1
    ? `${column} = ${p.add(uuidToBlob(ids[0]!))}`
    : `${column} IN (${ids.map((id) => p.add(uuidToBlob(id))).join(', ')})`;
}

/**
 * Substring tests on the ASCII-lower-cased JSON. SQLite's `lower()` only folds ASCII; PostgreSQL's
 * folds ASCII only under the "C" collation, which is why it is forced. `instr`/`strpos`, not LIKE,
 * so `%` and `_` in terms are literal.
 */
function sqlTextQuery({ include, exclude, required }: TextQuery, p: SqlParams): string[] {
  const contains = (term: string) =>
    p.dialect === 'sqlite' ? `instr(lower(e.json), ${p.add(term)}) > 0` : `strpos(lower(e.json COLLATE "C"), ${p.add(term)}) > 0`;
  const parts: string[] = [];
  if (include.length > 0) parts.push(sqlOr(include.map(contains)));
  for (const term of exclude) parts.push(`NOT (${contains(term)})`);
  for (const term of required) parts.push(contains(term));
  return parts;
}
