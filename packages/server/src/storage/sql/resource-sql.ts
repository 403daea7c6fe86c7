import { RESOURCE_ID_LABEL, RESOURCE_ROLE_LABEL, type LabelCondition, type ResourceClause } from '@herald/core';
import { sqlLabelPattern } from './glob-sql.js';
import { sqlInList, sqlOr, sqlStartsWith, type SqlParams } from './sql-params.js';

/** Which of an event's resources may satisfy a clause: position 0, positions > 0, or any. */
export type ResourceScope = 'primary' | 'related' | 'any';

/** The occurred window of the filter, used to bound index-driven subqueries. */
export interface OccurredWindow {
  since: number;
  until: number | null;
}

/**
 * One resource clause as a condition on the event `e`: some `event_resources` row `r` of the event, in
 * the scope, satisfies every set field of the clause. Returns `undefined` when the clause sets nothing.
 *
 * Two shapes, chosen by what can drive the query:
 * - with exact resource ids (`ids`, or the ids of `pairs`), an IN-subquery that starts from the
 *   `(resource_id, occurred)` index, bounded by the occurred window: "newest events of this resource"
 *   then reads only that resource's rows;
 * - otherwise a correlated EXISTS that looks up the rows of each candidate event by key (SQLite:
 *   `rid` range; PostgreSQL: `seq`), so the outer walk of the occurred index drives and stops at LIMIT.
 *   An IN-subquery here would read every resource row in the window first.
 *
 * @example
 * sqlResourceClause({ ids: ['acme.model.churn'] }, 'primary', { since: 0, until: null }, p)
 * // sqlite: 'e.seq IN (SELECT r.rid >> 10 FROM event_resources r WHERE r.resource_id = ? AND r.occurred >= ? AND (r.rid & 1023) = 0)'
 */
export function sqlResourceClause(clause: ResourceClause, scope: ResourceScope, window: OccurredWindow, p: SqlParams): string | undefined {
  const driverIds = clause.ids ?? (clause.pairs ? [...new Set(clause.pairs.map(([id]) => id))] : undefined);
  if (driverIds) {
    const rows = `${sqlInList('r.resource_id', driverIds, p)} AND ${occurredBounds(window, p)}${positionTest(scope, p)}`;
    const rest = rowConditions(clause, p, clause.ids !== undefined);
    const where = rest.length > 0 ? `${rows} AND ${rest.join(' AND ')}` : rows;
    return p.dialect === 'sqlite'
      ? `e.seq IN (SELECT r.rid >> 10 FROM event_resources r WHERE ${where})`
      : `(e.occurred, e.seq) IN (SELECT r.occurred, r.seq FROM event_resources r WHERE ${where})`;
  }
  const rest = rowConditions(clause, p, false);
  if (rest.length === 0) return undefined;
  // NOT INDEXED: without it SQLite may build an automatic index on, say, `role` over the whole table
  // for every query, instead of reading the event's few rows by rowid.
  return p.dialect === 'sqlite'
    ? `EXISTS (SELECT 1 FROM event_resources r NOT INDEXED WHERE ${sqliteRowsOfEvent(scope)} AND ${rest.join(' AND ')})`
    : `EXISTS (SELECT 1 FROM event_resources r WHERE r.seq = e.seq AND r.occurred = e.occurred${positionTest(scope, p)} AND ${rest.join(' AND ')})`;
}

/**
 * The label condition on the row `r`: the label is present and matches one of the patterns.
 * `prefect.resource.id` reads `resource_id`, `prefect.resource.role` reads `role`, any other label the
 * `labels` JSON. No patterns: matches nothing.
 */
function sqlLabelCondition({ label, patterns }: LabelCondition, p: SqlParams): string {
  if (patterns.length === 0) return 'FALSE';
  const value = sqlLabelValue(label, p);
  return `(${value} IS NOT NULL AND ${sqlOr(patterns.map((pattern) => sqlLabelPattern(value, pattern, p)))})`;
}

/**
 * The SQL expression reading one label of the row `r`. It uses no positional parameter, so it can be
 * repeated: SQLite gets the JSON path inline (JSON-quoted, so `"`, `\`, `$` and dots in label names are
 * safe, and `'` doubled), PostgreSQL one numbered parameter.
 */
function sqlLabelValue(label: string, p: SqlParams): string {
  if (label === RESOURCE_ID_LABEL) return 'r.resource_id';
  if (label === RESOURCE_ROLE_LABEL) return 'r.role';
  if (p.dialect === 'sqlite') return `json_extract(r.labels, '${`$.${JSON.stringify(label)}`.replace(/'/g, "''")}')`;
  return `(r.labels ->> ${p.add(label)}::text)`;
}

/** Conditions on the row `r`, in a fixed order; `skipIds` when the ids already drive the subquery. */
function rowConditions(clause: ResourceClause, p: SqlParams, skipIds: boolean): string[] {
  const conditions: string[] = [];
  if (clause.ids && !skipIds) conditions.push(sqlInList('r.resource_id', clause.ids, p));
  if (clause.pairs) conditions.push(sqlOr(clause.pairs.map(([id, role]) => `(r.resource_id = ${p.add(id)} AND r.role = ${p.add(role)})`)));
  if (clause.roles) conditions.push(sqlInList('r.role', clause.roles, p));
  if (clause.idPrefixes) conditions.push(sqlOr(clause.idPrefixes.map((prefix) => sqlStartsWith('r.resource_id', prefix, p))));
  for (const condition of clause.labels ?? []) conditions.push(sqlLabelCondition(condition, p));
  return conditions;
}

function occurredBounds({ since, until }: OccurredWindow, p: SqlParams): string {
  const lower = `r.occurred >= ${p.add(since)}`;
  return until === null ? lower : `${lower} AND r.occurred <= ${p.add(until)}`;
}

function positionTest(scope: ResourceScope, p: SqlParams): string {
  if (scope === 'any') return '';
  const position = p.dialect === 'sqlite' ? '(r.rid & 1023)' : 'r.position';
  return scope === 'primary' ? ` AND ${position} = 0` : ` AND ${position} > 0`;
}

// rid = seq * 1024 + position, so an event's rows are one rowid range: a primary-key lookup.
function sqliteRowsOfEvent(scope: ResourceScope): string {
  switch (scope) {
    case 'primary':
      return 'r.rid = e.seq * 1024';
    case 'related':
      return 'r.rid > e.seq * 1024 AND r.rid < e.seq * 1024 + 1024';
    case 'any':
      return 'r.rid >= e.seq * 1024 AND r.rid < e.seq * 1024 + 1024';
    default:
      return scope satisfies never;
  }
}
