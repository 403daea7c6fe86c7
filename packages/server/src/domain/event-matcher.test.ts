import { formatDateTime, parseEventFilter, type EventFilterInput, type ReceivedEvent } from '@herald/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEventMatcher } from './event-matcher.js';

const T0 = Date.UTC(2026, 10, 22, 12) * 1000;
const NOW = T0 + 3_600_000_000;

const EVENT: ReceivedEvent = {
  occurred: formatDateTime(T0),
  event: 'prefect.flow-run.Completed',
  resource: { 'prefect.resource.id': 'prefect.flow-run.1', 'prefect.resource.name': 'Nightly ETL', env: 'prod' },
  related: [
    { 'prefect.resource.id': 'prefect.flow.9', 'prefect.resource.role': 'flow', team: 'data' },
    { 'prefect.resource.id': 'prefect.tag.nightly', 'prefect.resource.role': 'tag' },
  ],
  payload: { rows: 1200, note: '100% Done' },
  id: '0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10',
  follows: null,
  received: formatDateTime(T0 + 5),
};

function matches(
  input: EventFilterInput,
  event: ReceivedEvent = EVENT,
  options: { missingUntil?: 'now' | 'unbounded'; occurred?: number } = {},
): boolean {
  const parsed = parseEventFilter(input, { now: NOW, missingUntil: options.missingUntil ?? 'now' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return compileEventMatcher(parsed.filter)(event, options.occurred ?? T0);
}

describe('compileEventMatcher', () => {
  it('bounds occurred inclusively on both sides, and not above when until is unbounded', () => {
    expect(matches({ occurred: { since: formatDateTime(T0), until: formatDateTime(T0) } })).toBe(true);
    expect(matches({ occurred: { since: formatDateTime(T0 + 1) } })).toBe(false);
    expect(matches({ occurred: { until: formatDateTime(T0 - 1) } })).toBe(false);
    expect(matches({}, EVENT, { occurred: NOW + 1 })).toBe(false);
    expect(matches({}, EVENT, { occurred: NOW + 1, missingUntil: 'unbounded' })).toBe(true);
  });

  it('compares event names as plain strings', () => {
    expect(matches({ event: { prefix: ['prefect.flow-run.'] } })).toBe(true);
    expect(matches({ event: { prefix: ['prefect.*'] } })).toBe(false);
    expect(matches({ event: { prefix: ['prefect_flow'] } })).toBe(false);
    expect(matches({ event: { exclude_prefix: ['prefect.flow'] } })).toBe(false);
    expect(matches({ event: { name: ['prefect.flow-run.Completed', 'x'] } })).toBe(true);
    expect(matches({ event: { name: ['prefect.flow-run.completed'] } })).toBe(false);
    expect(matches({ event: { exclude_name: ['prefect.flow-run.Completed'] } })).toBe(false);
    expect(matches({ event: { prefix: ['prefect.'], exclude_name: ['prefect.flow-run.Failed'] } })).toBe(true);
  });

  it('matches the primary resource by id, id prefix and labels together', () => {
    expect(matches({ resource: { id: ['prefect.flow-run.1'], id_prefix: ['prefect.flow-run.'], labels: { env: 'prod' } } })).toBe(true);
    expect(matches({ resource: { id: ['prefect.flow-run.1'], labels: { env: 'dev' } } })).toBe(false);
    expect(matches({ resource: { id_prefix: ['prefect.flow.'] } })).toBe(false);
    expect(matches({ resource: { labels: { 'prefect.resource.id': 'prefect.flow-run.?' } } })).toBe(true);
  });

  it('applies label patterns as Prefect documents them (§1.6)', () => {
    expect(matches({ resource: { labels: { env: ['this-value', '!prod'] } } })).toBe(false);
    expect(matches({ resource: { labels: { env: ['this-value', '!that-value'] } } })).toBe(true);
    expect(matches({ resource: { labels: { env: 'PROD' } } })).toBe(false);
    expect(matches({ resource: { labels: { env: 'p[a-r]o[!x]' } } })).toBe(true);
    expect(matches({ resource: { labels: { 'prefect.resource.name': '*ETL' } } })).toBe(true);
    expect(matches({ resource: { labels: { env: [] } } })).toBe(false);
    expect(matches({ resource: { labels: {} } })).toBe(true);
  });

  it('never matches a missing label, negated or not, even one named like an Object method', () => {
    expect(matches({ resource: { labels: { missing: '!anything' } } })).toBe(false);
    expect(matches({ resource: { labels: { missing: '*' } } })).toBe(false);
    expect(matches({ resource: { labels: { toString: '*' } } })).toBe(false);
    expect(matches({ resource: { labels: { constructor: '!x' } } })).toBe(false);
    const own = JSON.parse('{"prefect.resource.id":"x","__proto__":"p","toString":"t"}') as Record<string, string>;
    const spec = JSON.parse('{"__proto__":"p","toString":"t"}') as Record<string, string>;
    expect(matches({ resource: { labels: spec } }, { ...EVENT, resource: own })).toBe(true);
  });

  it('matches related clauses on one related resource, never the primary', () => {
    expect(matches({ related: { role: ['flow'], labels: { team: 'd*' } } })).toBe(true);
    expect(matches({ related: { role: ['tag'], labels: { team: 'd*' } } })).toBe(false);
    expect(matches({ related: { id: ['prefect.flow-run.1'] } })).toBe(false);
    expect(
      matches({
        related: {
          resources_in_roles: [
            ['prefect.flow.9', 'tag'],
            ['prefect.tag.nightly', 'tag'],
          ],
        },
      }),
    ).toBe(true);
    expect(matches({ related: { resources_in_roles: [['prefect.flow.9', 'tag']] } })).toBe(false);
    expect(matches({ related: { role: ['fl*'] } })).toBe(false);
    expect(matches({ related: { labels: { 'prefect.resource.role': 'fl*' } } })).toBe(true);
    expect(matches({ related: { labels: { 'prefect.resource.role': '!flow' } } })).toBe(true);
  });

  it('lets each clause of a list be satisfied by a different resource', () => {
    expect(matches({ related: [{ role: ['flow'] }, { role: ['tag'] }] })).toBe(true);
    expect(matches({ related: { role: ['flow'], id: ['prefect.tag.nightly'] } })).toBe(false);
    expect(matches({ any_resource: [{ id: ['prefect.flow-run.1'] }, { id_prefix: ['prefect.tag.'] }] })).toBe(true);
  });

  it('matches any_resource on the primary or a related resource', () => {
    expect(matches({ any_resource: { id: ['prefect.flow-run.1'], labels: { env: 'prod' } } })).toBe(true);
    expect(matches({ any_resource: { id_prefix: ['prefect.flow.'], labels: { team: 'data' } } })).toBe(true);
    expect(matches({ any_resource: { id: ['prefect.flow-run.1'], labels: { team: 'data' } } })).toBe(false);
  });

  it('matches event ids whatever their spelling in the event', () => {
    expect(matches({ id: { id: ['0F6F2D3E-1D7B-4A5E-9A63-2B8F7C1E9A10'] } })).toBe(true);
    expect(matches({ id: { id: [EVENT.id] } }, { ...EVENT, id: '0F6F2D3E1D7B4A5E9A632B8F7C1E9A10' })).toBe(true);
    expect(matches({ id: { id: ['00000000-0000-4000-8000-000000000000'] } })).toBe(false);
  });

  it('matches follows (Herald only) whatever its spelling, and never an event that follows nothing', () => {
    const leader = '1f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10';
    const follower = { ...EVENT, follows: leader };
    expect(matches({ follows: { id: [leader.toUpperCase()] } }, follower)).toBe(true);
    expect(matches({ follows: { id: [leader] } }, { ...EVENT, follows: leader.replace(/-/g, '').toUpperCase() })).toBe(true);
    expect(matches({ follows: { id: ['00000000-0000-4000-8000-000000000000', leader] } }, follower)).toBe(true);
    expect(matches({ follows: { id: [EVENT.id] } }, follower)).toBe(false);
    expect(matches({ follows: { id: [leader] } })).toBe(false);
    expect(matches({ follows: { id: [] } })).toBe(true);
  });

  it('searches the canonical JSON, ASCII case-insensitively, with any include, no exclude and every required term', () => {
    expect(matches({ text: { query: 'nightly' } })).toBe(true);
    expect(matches({ text: { query: 'NIGHTLY' } })).toBe(true);
    expect(matches({ text: { query: '100%' } })).toBe(true);
    expect(matches({ text: { query: '0%d' } })).toBe(false);
    expect(matches({ text: { query: '"prefect.resource.name"' } })).toBe(true);
    expect(matches({ text: { query: 'missing nightly' } })).toBe(true);
    expect(matches({ text: { query: 'nightly -etl' } })).toBe(false);
    expect(matches({ text: { query: 'nightly +missing' } })).toBe(false);
    expect(matches({ text: { query: '+"100% done" +rows' } })).toBe(true);
  });

  it('accepts every event for filters derived from it', () => {
    const label = fc.string({ minLength: 1, maxLength: 4 });
    const resource = fc.dictionary(label, fc.string({ maxLength: 4 }), { maxKeys: 3 });
    const eventArb = fc.record({
      event: fc.string({ maxLength: 6 }),
      resource: fc
        .tuple(fc.string({ minLength: 1, maxLength: 4 }), resource)
        .map(([id, labels]) => ({ ...labels, 'prefect.resource.id': id })),
      related: fc.array(
        fc
          .tuple(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }))
          .map(([id, role]) => ({ 'prefect.resource.id': id, 'prefect.resource.role': role })),
        { maxLength: 2 },
      ),
    });
    fc.assert(
      fc.property(eventArb, ({ event, resource: primary, related }) => {
        const e: ReceivedEvent = { ...EVENT, event, resource: primary, related };
        // Each value as a pattern matching exactly it: metacharacters in classes, a leading `!` as `?`.
        const exactly = (v: string) => v.replace(/[*?[]/g, '[$&]').replace(/^!/, '?');
        const labels = Object.fromEntries(Object.entries(primary).map(([k, v]) => [k, exactly(v)]));
        const filter: EventFilterInput = {
          event: { prefix: [event.slice(0, 2)], name: [event] },
          resource: { id: [primary['prefect.resource.id']], labels },
          related: related.map((r) => ({
            resources_in_roles: [[r['prefect.resource.id'], r['prefect.resource.role']]] as [string, string][],
          })),
          any_resource: { id: [primary['prefect.resource.id']] },
        };
        expect(matches(filter, e)).toBe(true);
      }),
    );
  });
});
