import type { ValidateFunction } from 'ajv';
import { formatDateTime, MICROS, parseDateTime } from './datetime.js';
import { toPointer, type ValidationIssue } from './errors.js';
import { createAjv } from './event-validator.js';
import { normalizeUuid } from './ids.js';
import { isEmptyTextQuery, parseTextQuery, type TextQuery } from './text-query.js';

/** Label name → one pattern or a list of patterns (globs, `!` negates). */
export type ResourceSpecification = Record<string, string | string[]>;

/** The wire form of Prefect's `EventFilter`. Every field is optional; `null` means "not set". */
export interface EventFilterInput {
  occurred?: { since?: string | null; until?: string | null } | null;
  event?: { prefix?: string[] | null; exclude_prefix?: string[] | null; name?: string[] | null; exclude_name?: string[] | null } | null;
  resource?: { id?: string[] | null; id_prefix?: string[] | null; labels?: ResourceSpecification | null; distinct?: boolean | null } | null;
  related?: RelatedFilterInput | RelatedFilterInput[] | null;
  any_resource?: AnyResourceFilterInput | AnyResourceFilterInput[] | null;
  id?: { id?: string[] | null } | null;
  /**
   * Herald only: events whose `follows` is one of these ids (at most {@link MAX_FOLLOWS_IDS}). Prefect
   * has no such clause.
   *
   * @example
   * { follows: { id: ['0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10'] } } // the events that follow this one
   */
  follows?: { id?: string[] | null } | null;
  text?: { query: string } | null;
  order?: 'ASC' | 'DESC' | null;
}

export interface RelatedFilterInput {
  id?: string[] | null;
  role?: string[] | null;
  resources_in_roles?: [string, string][] | null;
  labels?: ResourceSpecification | null;
}

export interface AnyResourceFilterInput {
  id?: string[] | null;
  id_prefix?: string[] | null;
  labels?: ResourceSpecification | null;
}

/** One label condition: the label must exist and match at least one pattern. No patterns: matches nothing. */
export interface LabelCondition {
  label: string;
  patterns: string[];
}

/**
 * A condition on one resource of an event. Every set field must hold for the same resource.
 * `related` clauses only consider related resources; `any_resource` clauses consider all of them.
 */
export interface ResourceClause {
  ids?: string[];
  idPrefixes?: string[];
  roles?: string[];
  /** `[resource id, role]` alternatives: at least one pair must match. */
  pairs?: [string, string][];
  labels?: LabelCondition[];
}

/**
 * A filter after validation and defaults: times in microseconds, empty lists removed. This is the one
 * model that the in-memory matcher and the SQL compilers implement.
 */
export interface NormalizedEventFilter {
  since: number;
  /** `null` means no upper bound (a live subscription that sent no `until`). */
  until: number | null;
  event: { prefixes?: string[]; excludePrefixes?: string[]; names?: string[]; excludeNames?: string[] };
  resource: { ids?: string[]; idPrefixes?: string[]; labels?: LabelCondition[] };
  distinct: boolean;
  related: ResourceClause[];
  anyResource: ResourceClause[];
  ids?: string[];
  /** Canonical UUIDs: the event's `follows` is one of them (an event without `follows` never matches). */
  follows?: string[];
  text?: TextQuery;
  order: 'ASC' | 'DESC';
}

/** The most ids one `follows` clause may list: each is an index lookup (and a bound parameter). */
export const MAX_FOLLOWS_IDS = 200;

// PostgreSQL text cannot hold NUL, so a filter carrying one is refused here rather than failing in SQL.
const filterString = { type: 'string', pattern: '^[^\\u0000]*$' };
const stringList = { type: ['array', 'null'], items: filterString };
const resourceSpec = {
  type: ['object', 'null'],
  propertyNames: filterString,
  additionalProperties: { anyOf: [filterString, { type: 'array', items: filterString }] },
};
const relatedFilter = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: stringList,
    role: stringList,
    resources_in_roles: { type: ['array', 'null'], items: { type: 'array', minItems: 2, maxItems: 2, items: filterString } },
    labels: resourceSpec,
  },
};
const anyResourceFilter = {
  type: 'object',
  additionalProperties: false,
  properties: { id: stringList, id_prefix: stringList, labels: resourceSpec },
};

/** The JSON Schema of `EventFilter`: unknown keys are refused at every depth, `null` is accepted everywhere. */
export const EVENT_FILTER_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    occurred: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        since: { type: ['string', 'null'], format: 'herald-date-time' },
        until: { type: ['string', 'null'], format: 'herald-date-time' },
      },
    },
    event: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { prefix: stringList, exclude_prefix: stringList, name: stringList, exclude_name: stringList },
    },
    resource: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { id: stringList, id_prefix: stringList, labels: resourceSpec, distinct: { type: ['boolean', 'null'] } },
    },
    related: { anyOf: [{ type: 'null' }, relatedFilter, { type: 'array', items: relatedFilter }] },
    any_resource: { anyOf: [{ type: 'null' }, anyResourceFilter, { type: 'array', items: anyResourceFilter }] },
    id: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { id: { type: ['array', 'null'], items: { type: 'string', format: 'herald-uuid' } } },
    },
    follows: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { id: { type: ['array', 'null'], maxItems: MAX_FOLLOWS_IDS, items: { type: 'string', format: 'herald-uuid' } } },
    },
    text: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['query'],
      properties: { query: { ...filterString, maxLength: 200 } },
    },
    order: { enum: ['ASC', 'DESC', null] },
  },
} as const;

let compiled: ValidateFunction | undefined;
function filterSchema(): ValidateFunction {
  compiled ??= createAjv().compile(EVENT_FILTER_JSON_SCHEMA);
  return compiled;
}

export interface FilterParseOptions {
  /** The current time in microseconds; defaults are computed from it. */
  now: number;
  /** What a missing `until` means: `now` (queries) or no bound (live subscriptions). */
  missingUntil: 'now' | 'unbounded';
  /** Prefix for issue locations, e.g. `['filter']`. */
  basePath?: (string | number)[];
}

export type FilterParseResult =
  | { ok: true; filter: NormalizedEventFilter; materialized: EventFilterInput }
  | { ok: false; issues: ValidationIssue[] };

/** The default start of the query window: the start of today (UTC) minus 180 days. */
export function defaultSince(now: number): number {
  return Math.floor(now / MICROS.day) * MICROS.day - 180 * MICROS.day;
}

/**
 * Validates and normalises an `EventFilter`. `materialized` is the wire filter with its defaults filled
 * in, so that it can be stored in a page token and re-run with the same window.
 *
 * @example
 * const r = parseEventFilter({ event: { prefix: ['acme.'] } }, { now: toMicros(new Date()), missingUntil: 'now' });
 * if (r.ok) r.filter.event.prefixes // ['acme.']
 */
export function parseEventFilter(input: unknown, options: FilterParseOptions): FilterParseResult {
  const basePath = options.basePath ?? [];
  const raw = input ?? {};
  const check = filterSchema();
  if (!check(raw)) {
    return {
      ok: false,
      issues: (check.errors ?? []).map((e) => {
        const segments = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
        const extra = e.keyword === 'additionalProperties' ? [String((e.params as { additionalProperty: string }).additionalProperty)] : e.keyword === 'required' ? [String((e.params as { missingProperty: string }).missingProperty)] : [];
        const path = [...basePath, ...segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s)), ...extra];
        const type = e.keyword === 'additionalProperties' ? 'extra_forbidden' : e.keyword === 'required' ? 'missing' : e.keyword;
        const message = e.keyword === 'additionalProperties' ? 'Extra inputs are not permitted' : e.keyword === 'format' ? 'Input is not a valid value' : (e.message ?? 'Invalid value');
        return { pointer: toPointer(path), path, type, message };
      }),
    };
  }
  const f = raw as EventFilterInput;
  const since = f.occurred?.since != null ? parseDateTime(f.occurred.since)! : defaultSince(options.now);
  const until = f.occurred?.until != null ? parseDateTime(f.occurred.until)! : options.missingUntil === 'now' ? options.now : null;
  const order = f.order ?? 'DESC';
  const text = f.text && f.text.query.trim() !== '' ? parseTextQuery(f.text.query) : undefined;

  const filter: NormalizedEventFilter = {
    since,
    until,
    event: compact({
      prefixes: nonEmpty(f.event?.prefix),
      excludePrefixes: nonEmpty(f.event?.exclude_prefix),
      names: nonEmpty(f.event?.name),
      excludeNames: nonEmpty(f.event?.exclude_name),
    }),
    resource: compact({ ids: nonEmpty(f.resource?.id), idPrefixes: nonEmpty(f.resource?.id_prefix), labels: labelConditions(f.resource?.labels) }),
    distinct: f.resource?.distinct ?? false,
    related: asArray(f.related)
      .map((r) => compact({ ids: nonEmpty(r.id), roles: nonEmpty(r.role), pairs: nonEmpty(r.resources_in_roles), labels: labelConditions(r.labels) }))
      .filter(hasConditions),
    anyResource: asArray(f.any_resource)
      .map((r) => compact({ ids: nonEmpty(r.id), idPrefixes: nonEmpty(r.id_prefix), labels: labelConditions(r.labels) }))
      .filter(hasConditions),
    ...(nonEmpty(f.id?.id) ? { ids: f.id!.id!.map(normalizeUuid) } : {}),
    ...(nonEmpty(f.follows?.id) ? { follows: f.follows!.id!.map(normalizeUuid) } : {}),
    ...(text && !isEmptyTextQuery(text) ? { text } : {}),
    order,
  };
  const materialized: EventFilterInput = {
    ...f,
    occurred: { since: formatDateTime(since), until: until === null ? null : formatDateTime(until) },
    order,
  };
  return { ok: true, filter, materialized };
}

function nonEmpty<T>(list: T[] | null | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

function asArray<T>(value: T | T[] | null | undefined): T[] {
  if (value == null) return [];
  return Array.isArray(value) ? value : [value];
}

function compact<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) if (obj[key] === undefined) delete obj[key];
  return obj;
}

function hasConditions(clause: ResourceClause): boolean {
  return Object.keys(clause).length > 0;
}

function labelConditions(spec: ResourceSpecification | null | undefined): LabelCondition[] | undefined {
  if (!spec) return undefined;
  const conditions = Object.entries(spec).map(([label, p]) => ({ label, patterns: typeof p === 'string' ? [p] : p }));
  return conditions.length > 0 ? conditions : undefined;
}
