import type { EventFilterInput } from '@herald/sdk/browser';

/** The time window of the feed: a span ending now, or a fixed range. */
export type TimeRange = { kind: 'span'; seconds: number } | { kind: 'range'; since: string; until: string };

/**
 * Everything the feed shows, as it lives in the URL.
 * - `names`: `acme.model.*` selects a prefix, anything else one exact name.
 * - `resources` / `related`: an id, an id prefix ending in `*`, or a label `key=value` (value may be a glob).
 * - `follows`: event ids; the feed shows the events that follow one of them (Herald's `follows` clause).
 */
export interface FeedQuery {
  range: TimeRange;
  names: string[];
  resources: string[];
  related: string[];
  follows: string[];
  text: string;
}

/** The list fields of a feed query, each one filter chip per value. */
export type FeedListField = 'names' | 'resources' | 'related' | 'follows';

// Any UUID spelling the server accepts; other values in a hand-edited `follows` are dropped.
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export const DEFAULT_SPAN_SECONDS = 86_400;

/** A feed query's filters, all unset: spread it and set the range and the filters a link needs. */
export const EMPTY_FEED_FILTERS: Omit<FeedQuery, 'range'> = { names: [], resources: [], related: [], follows: [], text: '' };

/**
 * Reads a feed query from a URL search string. Unknown or malformed values fall back to defaults, so a
 * hand-edited link still opens.
 *
 * @example
 * parseFeedQuery('?span=3600&event=acme.*&q=churn').names // ['acme.*']
 * parseFeedQuery('?follows=0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10').follows // ['0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10']
 */
export function parseFeedQuery(search: string): FeedQuery {
  const params = new URLSearchParams(search);
  const since = params.get('since');
  const until = params.get('until');
  const span = Number(params.get('span'));
  let range: TimeRange = { kind: 'span', seconds: DEFAULT_SPAN_SECONDS };
  if (since && until && !Number.isNaN(Date.parse(since)) && !Number.isNaN(Date.parse(until)) && Date.parse(since) < Date.parse(until)) {
    range = { kind: 'range', since: new Date(since).toISOString(), until: new Date(until).toISOString() };
  } else if (Number.isFinite(span) && span > 0) {
    range = { kind: 'span', seconds: Math.round(span) };
  }
  const list = (key: string) => [...new Set(params.getAll(key).map((v) => v.trim()).filter((v) => v !== ''))];
  return {
    range,
    names: list('event'),
    resources: list('resource'),
    related: list('related'),
    follows: list('follows').filter((id) => UUID.test(id)),
    text: (params.get('q') ?? '').slice(0, 200),
  };
}

/**
 * Writes a feed query as a URL search string (with `?`, or empty for the defaults). Parsing the result
 * gives the same query back.
 *
 * @example
 * formatFeedQuery({ ...EMPTY_FEED_FILTERS, range: { kind: 'span', seconds: 3600 } }) // '?span=3600'
 */
export function formatFeedQuery(query: FeedQuery): string {
  const params = new URLSearchParams();
  if (query.range.kind === 'range') {
    params.set('since', query.range.since);
    params.set('until', query.range.until);
  } else if (query.range.seconds !== DEFAULT_SPAN_SECONDS) {
    params.set('span', String(query.range.seconds));
  }
  for (const name of query.names) params.append('event', name);
  for (const resource of query.resources) params.append('resource', resource);
  for (const related of query.related) params.append('related', related);
  for (const id of query.follows) params.append('follows', id);
  if (query.text !== '') params.set('q', query.text);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The absolute window of a range at `nowMs`. */
export function resolveRange(range: TimeRange, nowMs: number): { since: number; until: number } {
  if (range.kind === 'range') return { since: Date.parse(range.since), until: Date.parse(range.until) };
  return { since: nowMs - range.seconds * 1000, until: nowMs };
}

type ResourceToken = { kind: 'id'; id: string } | { kind: 'prefix'; prefix: string } | { kind: 'label'; key: string; value: string };

/**
 * Classifies a resource filter token: `key=value` is a label, a trailing `*` makes an id prefix.
 *
 * @example
 * parseResourceToken('acme.model.*') // { kind: 'prefix', prefix: 'acme.model.' }
 */
export function parseResourceToken(token: string): ResourceToken {
  const eq = token.indexOf('=');
  if (eq > 0) return { kind: 'label', key: token.slice(0, eq), value: token.slice(eq + 1) };
  if (token.endsWith('*')) return { kind: 'prefix', prefix: token.slice(0, -1) };
  return { kind: 'id', id: token };
}

/**
 * The server filter for a feed query at `nowMs`. Names are OR-ed; resource tokens of one kind are
 * OR-ed and different kinds AND-ed; each related token is its own clause, so they AND across related
 * resources (Prefect issue #16979); `follows` ids are OR-ed.
 *
 * @example
 * toEventFilter(parseFeedQuery('?event=acme.*'), Date.now()).event // { prefix: ['acme.'] }
 */
export function toEventFilter(query: FeedQuery, nowMs: number, options: { withNames?: boolean } = {}): EventFilterInput {
  const { since, until } = resolveRange(query.range, nowMs);
  const filter: EventFilterInput = { occurred: { since: new Date(since).toISOString(), until: new Date(until).toISOString() }, order: 'DESC' };
  if (options.withNames !== false && query.names.length > 0) {
    const prefix = query.names.filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1));
    const name = query.names.filter((n) => !n.endsWith('*'));
    filter.event = { ...(prefix.length > 0 ? { prefix } : {}), ...(name.length > 0 ? { name } : {}) };
  }
  if (query.resources.length > 0) {
    const tokens = query.resources.map(parseResourceToken);
    const id = tokens.flatMap((t) => (t.kind === 'id' ? [t.id] : []));
    const idPrefix = tokens.flatMap((t) => (t.kind === 'prefix' ? [t.prefix] : []));
    const labels = labelMap(tokens);
    filter.resource = { ...(id.length > 0 ? { id } : {}), ...(idPrefix.length > 0 ? { id_prefix: idPrefix } : {}), ...(labels ? { labels } : {}) };
  }
  if (query.related.length > 0) {
    filter.related = query.related.map((token) => {
      const t = parseResourceToken(token);
      switch (t.kind) {
        case 'id':
          return { id: [t.id] };
        case 'prefix':
          return { labels: { 'prefect.resource.id': `${t.prefix}*` } };
        case 'label':
          return { labels: { [t.key]: t.value } };
        default:
          return assertNever(t);
      }
    });
  }
  if (query.follows.length > 0) filter.follows = { id: query.follows };
  if (query.text.trim() !== '') filter.text = { query: query.text.trim() };
  return filter;
}

function labelMap(tokens: ResourceToken[]): Record<string, string[]> | null {
  const labels: Record<string, string[]> = {};
  for (const t of tokens) if (t.kind === 'label') (labels[t.key] ??= []).push(t.value);
  return Object.keys(labels).length > 0 ? labels : null;
}

/** Adds a value to one of the query's lists (no duplicates). */
export function withToken(query: FeedQuery, field: FeedListField, token: string): FeedQuery {
  return query[field].includes(token) ? query : { ...query, [field]: [...query[field], token] };
}

/** Removes a value from one of the query's lists. */
export function withoutToken(query: FeedQuery, field: FeedListField, token: string): FeedQuery {
  return { ...query, [field]: query[field].filter((t) => t !== token) };
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
