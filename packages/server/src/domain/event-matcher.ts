import {
  asciiLower,
  compileLabelPattern,
  normalizeUuid,
  RESOURCE_ID_LABEL,
  RESOURCE_ROLE_LABEL,
  serializeEvent,
  type LabelCondition,
  type NormalizedEventFilter,
  type ReceivedEvent,
  type Resource,
  type ResourceClause,
  type TextQuery,
} from '@herald/core';

/** Tests one event against a compiled filter. `occurredUs` is `event.occurred` in microseconds. */
export type EventMatcher = (event: ReceivedEvent, occurredUs: number) => boolean;

type Check = (event: ReceivedEvent, occurredUs: number) => boolean;
type ResourceCheck = (resource: Resource) => boolean;

/**
 * Compiles a filter into the in-memory matcher used by live streams and automations. It implements
 * exactly the semantics of the SQL compiler (`storage/sql/filter-compiler.ts`, documented there and in
 * `docs/filters.md`); a differential test holds the two together. `distinct` and `order` are not
 * conditions and are ignored here.
 *
 * @example
 * const matches = compileEventMatcher(filter);
 * if (matches(event, parseDateTime(event.occurred)!)) send(event);
 */
export function compileEventMatcher(filter: NormalizedEventFilter): EventMatcher {
  const checks: Check[] = [];
  const { since, until } = filter;
  checks.push(until === null ? (_e, us) => us >= since : (_e, us) => us >= since && us <= until);

  const { prefixes, excludePrefixes, names, excludeNames } = filter.event;
  if (prefixes) checks.push((e) => prefixes.some((p) => e.event.startsWith(p)));
  if (excludePrefixes) checks.push((e) => !excludePrefixes.some((p) => e.event.startsWith(p)));
  if (names) {
    const set = new Set(names);
    checks.push((e) => set.has(e.event));
  }
  if (excludeNames) {
    const set = new Set(excludeNames);
    checks.push((e) => !set.has(e.event));
  }

  const primary = compileResourceClause(filter.resource);
  if (primary) checks.push((e) => primary(e.resource));
  for (const clause of filter.related) {
    const check = compileResourceClause(clause);
    if (check) checks.push((e) => e.related.some(check));
  }
  for (const clause of filter.anyResource) {
    const check = compileResourceClause(clause);
    if (check) checks.push((e) => check(e.resource) || e.related.some(check));
  }

  if (filter.ids) {
    const set = new Set(filter.ids);
    checks.push((e) => set.has(e.id) || set.has(normalizeUuid(e.id)));
  }
  if (filter.follows) {
    const set = new Set(filter.follows);
    checks.push((e) => e.follows != null && (set.has(e.follows) || set.has(normalizeUuid(e.follows))));
  }
  if (filter.text) {
    const text = compileTextQuery(filter.text);
    checks.push((e) => text(asciiLower(serializeEvent(e))));
  }
  return (event, occurredUs) => checks.every((check) => check(event, occurredUs));
}

/** Every set field must hold for the one resource; `undefined` when the clause sets nothing. */
function compileResourceClause(clause: ResourceClause): ResourceCheck | undefined {
  const checks: ResourceCheck[] = [];
  if (clause.ids) {
    const set = new Set(clause.ids);
    checks.push((r) => set.has(r[RESOURCE_ID_LABEL]!));
  }
  if (clause.idPrefixes) {
    const prefixes = clause.idPrefixes;
    checks.push((r) => prefixes.some((p) => r[RESOURCE_ID_LABEL]!.startsWith(p)));
  }
  if (clause.roles) {
    const set = new Set(clause.roles);
    checks.push((r) => {
      const role = labelValue(r, RESOURCE_ROLE_LABEL);
      return role !== undefined && set.has(role);
    });
  }
  if (clause.pairs) {
    const pairs = clause.pairs;
    checks.push((r) => pairs.some(([id, role]) => r[RESOURCE_ID_LABEL] === id && labelValue(r, RESOURCE_ROLE_LABEL) === role));
  }
  for (const condition of clause.labels ?? []) checks.push(compileLabelCondition(condition));
  if (checks.length === 0) return undefined;
  return (r) => checks.every((check) => check(r));
}

/** The label must be present and match at least one pattern; no patterns match nothing. */
function compileLabelCondition({ label, patterns }: LabelCondition): ResourceCheck {
  const matchers = patterns.map(compileLabelPattern);
  return (r) => {
    const value = labelValue(r, label);
    return value !== undefined && matchers.some((m) => m(value));
  };
}

// Own properties only: a label named `constructor` or `toString` must not find Object.prototype's.
function labelValue(resource: Resource, label: string): string | undefined {
  return Object.hasOwn(resource, label) ? resource[label] : undefined;
}

/** Tests the already lower-cased searchable text: any include, no exclude, every required term. */
function compileTextQuery({ include, exclude, required }: TextQuery): (text: string) => boolean {
  return (text) =>
    (include.length === 0 || include.some((t) => text.includes(t))) &&
    !exclude.some((t) => text.includes(t)) &&
    required.every((t) => text.includes(t));
}
