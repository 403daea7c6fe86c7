import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPAN_SECONDS, formatFeedQuery, parseFeedQuery, parseResourceToken, toEventFilter, type FeedQuery } from './feed-query.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');

describe('feed query ↔ URL', () => {
  it('reads every filter from the URL', () => {
    const query = parseFeedQuery(
      '?span=3600&event=acme.*&event=acme.model.failed&resource=acme.model.*&related=team=data&follows=0F6F2D3E1D7B4A5E9A632B8F7C1E9A10&follows=not-an-id&q=churn%20-test',
    );
    expect(query).toEqual({
      range: { kind: 'span', seconds: 3600 },
      names: ['acme.*', 'acme.model.failed'],
      resources: ['acme.model.*'],
      related: ['team=data'],
      follows: ['0F6F2D3E1D7B4A5E9A632B8F7C1E9A10'],
      text: 'churn -test',
    });
  });

  it('leaves the defaults out of the URL', () => {
    expect(formatFeedQuery(parseFeedQuery(''))).toBe('');
    expect(parseFeedQuery('').range).toEqual({ kind: 'span', seconds: DEFAULT_SPAN_SECONDS });
  });

  it('falls back to the default range for malformed or inverted ranges', () => {
    expect(parseFeedQuery('?span=abc').range).toEqual({ kind: 'span', seconds: DEFAULT_SPAN_SECONDS });
    expect(parseFeedQuery('?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z').range.kind).toBe('span');
  });

  it('round-trips any query through the URL', () => {
    const token = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s !== '');
    const query = fc.record({
      range: fc.oneof(
        fc.record({ kind: fc.constant('span' as const), seconds: fc.integer({ min: 1, max: 10_000_000 }) }),
        fc
          .tuple(fc.integer({ min: 0, max: 2e12 }), fc.integer({ min: 1, max: 1e10 }))
          .map(([a, d]) => ({ kind: 'range' as const, since: new Date(a).toISOString(), until: new Date(a + d).toISOString() })),
      ),
      names: fc.uniqueArray(token, { maxLength: 3 }),
      resources: fc.uniqueArray(token, { maxLength: 3 }),
      related: fc.uniqueArray(token, { maxLength: 3 }),
      follows: fc.uniqueArray(fc.uuid(), { maxLength: 2 }),
      text: fc.string({ maxLength: 20 }).filter((s) => s.trim() === s),
    });
    fc.assert(
      fc.property(query, (q: FeedQuery) => {
        expect(parseFeedQuery(formatFeedQuery(q))).toEqual(q);
      }),
    );
  });
});

describe('toEventFilter', () => {
  it('turns prefixes, names, resources, related and text into one server filter', () => {
    const filter = toEventFilter(parseFeedQuery('?span=60&event=acme.*&event=acme.x.done&resource=acme.model.churn&resource=acme.job.*&resource=team=ml*&related=owner=platform&related=acme.flow.*&q=boom'), NOW);
    expect(filter).toEqual({
      occurred: { since: '2026-11-22T11:59:00.000Z', until: '2026-11-22T12:00:00.000Z' },
      order: 'DESC',
      event: { prefix: ['acme.'], name: ['acme.x.done'] },
      resource: { id: ['acme.model.churn'], id_prefix: ['acme.job.'], labels: { team: ['ml*'] } },
      related: [{ labels: { owner: 'platform' } }, { labels: { 'prefect.resource.id': 'acme.flow.*' } }],
      text: { query: 'boom' },
    });
  });

  it('turns follows ids into the follows clause (Herald only)', () => {
    const id = '0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10';
    expect(toEventFilter(parseFeedQuery(`?follows=${id}`), NOW).follows).toEqual({ id: [id] });
    expect(toEventFilter(parseFeedQuery(''), NOW).follows).toBeUndefined();
  });

  it('leaves the names out when asked (the name tree counts every name)', () => {
    expect(toEventFilter(parseFeedQuery('?event=a.*'), NOW, { withNames: false }).event).toBeUndefined();
  });

  it('classifies resource tokens', () => {
    expect(parseResourceToken('a=b=c')).toEqual({ kind: 'label', key: 'a', value: 'b=c' });
    expect(parseResourceToken('acme.*')).toEqual({ kind: 'prefix', prefix: 'acme.' });
    expect(parseResourceToken('acme.model.churn')).toEqual({ kind: 'id', id: 'acme.model.churn' });
  });
});
