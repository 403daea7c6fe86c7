import { parseDateTime } from '../datetime.js';
import type { ValidationIssue } from '../errors.js';
import type { Automation, AutomationFilter, AutomationSort } from './automation-model.js';
import { FieldReader, issueAt, isPlainObject, TYPE_MESSAGES, type ValidationResult } from './validation-result.js';

/** Default and largest page of `POST /api/automations/filter` (spec §1.4). */
export const AUTOMATION_PAGE_LIMIT = 200;

export const AUTOMATION_SORTS: readonly AutomationSort[] = ['CREATED_DESC', 'UPDATED_DESC', 'NAME_ASC', 'NAME_DESC'];

export interface AutomationFilterRequest {
  sort: AutomationSort;
  limit: number;
  offset: number;
  /** Null when the body has no (or a null) `automations` filter: everything matches. */
  filter: AutomationFilter | null;
}

type Path = readonly (string | number)[];

function checkKeys(input: Record<string, unknown>, allowed: readonly string[], path: Path, issues: ValidationIssue[]): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) issues.push(issueAt([...path, key], 'extra_forbidden', TYPE_MESSAGES.extra_forbidden));
  }
}

/** An optional object field: absent and null both mean "not given". */
function optionalObject(r: FieldReader, key: string, allowed: readonly string[]): Record<string, unknown> | null | undefined {
  if (!r.has(key) || r.source[key] === null) return null;
  const value = r.source[key];
  if (!isPlainObject(value)) return r.typeFail(key, 'model_type');
  checkKeys(value, allowed, [...r.path, key], r.issues);
  return value;
}

function nonNegativeInteger(r: FieldReader, key: string, fallback: number): number | undefined {
  if (!r.has(key) || r.source[key] === null) return fallback;
  const value = r.source[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return r.typeFail(key, 'int_type');
  return value < 0 ? r.fail(key, 'greater_than_equal', 'Input should be greater than or equal to 0') : value;
}

function operator(r: FieldReader): 'and_' | 'or_' | undefined {
  const value = r.has('operator') && r.source.operator !== null ? r.source.operator : 'and_';
  return value === 'and_' || value === 'or_' ? value : r.fail('operator', 'enum', "Input should be 'and_' or 'or_'");
}

function optionalStrings(r: FieldReader, key: string): string[] | undefined {
  return r.has(key) && r.source[key] !== null ? r.strings(key) : undefined;
}

/**
 * Parses a `POST /api/automations/filter` body `{sort, limit, offset, automations}` (spec §1.4). Every
 * field is optional; unknown keys at any level are refused.
 *
 * @example
 * parseAutomationFilterRequest({ automations: { tags: { any_: ['prod'] } } })
 * // { ok: true, value: { sort: 'NAME_ASC', limit: 200, offset: 0, filter: { operator: 'and_', tags: { operator: 'and_', any_: ['prod'] } } } }
 */
export function parseAutomationFilterRequest(body: unknown): ValidationResult<AutomationFilterRequest> {
  const source = body === undefined || body === null ? {} : body;
  if (!isPlainObject(source)) return { ok: false, issues: [issueAt([], 'model_type', TYPE_MESSAGES.model_type)] };
  const issues: ValidationIssue[] = [];
  checkKeys(source, ['sort', 'limit', 'offset', 'automations'], [], issues);
  const r = new FieldReader(source, [], issues);
  const rawSort = r.has('sort') && source.sort !== null ? source.sort : 'NAME_ASC';
  const sort = AUTOMATION_SORTS.includes(rawSort as AutomationSort)
    ? (rawSort as AutomationSort)
    : r.fail('sort', 'enum', `Input should be ${AUTOMATION_SORTS.map((s) => `'${s}'`).join(', ')}`);
  let limit = nonNegativeInteger(r, 'limit', AUTOMATION_PAGE_LIMIT);
  if (limit !== undefined && limit > AUTOMATION_PAGE_LIMIT) limit = r.fail('limit', 'value_error', `Invalid limit: must be less than or equal to ${AUTOMATION_PAGE_LIMIT}.`);
  const offset = nonNegativeInteger(r, 'offset', 0);
  const filter = parseAutomationFilter(r);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { sort: sort!, limit: limit!, offset: offset!, filter: filter! } };
}

function parseAutomationFilter(parent: FieldReader): AutomationFilter | null | undefined {
  const raw = optionalObject(parent, 'automations', ['operator', 'name', 'created', 'tags']);
  if (!raw) return raw;
  const r = new FieldReader(raw, ['automations'], parent.issues);
  const filter: AutomationFilter = { operator: operator(r) ?? 'and_' };
  const name = optionalObject(r, 'name', ['any_']);
  if (name) {
    const any = optionalStrings(new FieldReader(name, ['automations', 'name'], r.issues), 'any_');
    if (any) filter.name = { any_: any };
  }
  const created = optionalObject(r, 'created', ['before_']);
  if (created && created.before_ != null) {
    const before = created.before_;
    if (typeof before === 'string' && parseDateTime(before) !== null) filter.created = { before_: before };
    else r.issues.push(issueAt(['automations', 'created', 'before_'], 'datetime_parsing', 'Input should be a valid datetime'));
  }
  const tags = optionalObject(r, 'tags', ['operator', 'all_', 'any_', 'is_null_']);
  if (tags) {
    const t = new FieldReader(tags, ['automations', 'tags'], r.issues);
    const tagFilter: NonNullable<AutomationFilter['tags']> = { operator: operator(t) ?? 'and_' };
    const all = optionalStrings(t, 'all_');
    const any = optionalStrings(t, 'any_');
    if (all) tagFilter.all_ = all;
    if (any) tagFilter.any_ = any;
    if (t.has('is_null_') && tags.is_null_ !== null) {
      const isNull = t.boolean('is_null_', false);
      if (isNull !== undefined) tagFilter.is_null_ = isNull;
    }
    filter.tags = tagFilter;
  }
  return filter;
}

function combine(op: 'and_' | 'or_', results: boolean[]): boolean {
  // An empty filter matches everything, whatever its operator (Prefect returns `true` for no criteria).
  if (results.length === 0) return true;
  return op === 'and_' ? results.every(Boolean) : results.some(Boolean);
}

/**
 * True when the automation passes the filter (spec §1.4): `name.any_` is membership, `created.before_`
 * is inclusive, tags `all_` is a superset test, `any_` a non-empty intersection, `is_null_` tests for
 * no tags; criteria combine with their filter's operator.
 *
 * @example
 * matchesAutomationFilter(automation, { operator: 'and_', tags: { operator: 'and_', any_: ['production'] } })
 */
export function matchesAutomationFilter(automation: Pick<Automation, 'name' | 'created' | 'tags'>, filter: AutomationFilter | null): boolean {
  if (!filter) return true;
  const results: boolean[] = [];
  if (filter.name?.any_) results.push(filter.name.any_.includes(automation.name));
  if (filter.created) results.push((parseDateTime(automation.created) ?? Infinity) <= (parseDateTime(filter.created.before_) ?? -Infinity));
  if (filter.tags) {
    const { tags } = automation;
    const t = filter.tags;
    const tagResults: boolean[] = [];
    if (t.all_) tagResults.push(t.all_.every((tag) => tags.includes(tag)));
    if (t.any_) tagResults.push(t.any_.some((tag) => tags.includes(tag)));
    if (t.is_null_ !== undefined) tagResults.push(t.is_null_ ? tags.length === 0 : tags.length > 0);
    results.push(combine(t.operator, tagResults));
  }
  return combine(filter.operator, results);
}

/**
 * A comparator for `Array.prototype.sort` implementing the filter's `sort`; ties break on `id` so that
 * pages are stable.
 *
 * @example
 * automations.filter((a) => matchesAutomationFilter(a, filter)).sort(compareAutomations('NAME_ASC'))
 */
export function compareAutomations(sort: AutomationSort): (a: Automation, b: Automation) => number {
  const byId = (a: Automation, b: Automation) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const byTime = (key: 'created' | 'updated') => (a: Automation, b: Automation) => (parseDateTime(b[key]) ?? 0) - (parseDateTime(a[key]) ?? 0) || byId(a, b);
  switch (sort) {
    case 'NAME_ASC':
      return (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : byId(a, b));
    case 'NAME_DESC':
      return (a, b) => (a.name > b.name ? -1 : a.name < b.name ? 1 : byId(a, b));
    case 'CREATED_DESC':
      return byTime('created');
    case 'UPDATED_DESC':
      return byTime('updated');
    default: {
      const unreachable: never = sort;
      throw new Error(`Unknown sort ${String(unreachable)}`);
    }
  }
}
