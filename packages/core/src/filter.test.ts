import { describe, expect, it } from 'vitest';
import { parseDateTime } from './datetime.js';
import { defaultSince, MAX_FOLLOWS_IDS, parseEventFilter } from './filter.js';

const now = parseDateTime('2026-08-21T15:30:00Z')!;

describe('parseEventFilter', () => {
  it('fills the default window: start of today minus 180 days, until now', () => {
    const r = parseEventFilter(undefined, { now, missingUntil: 'now' });
    expect(r.ok && [r.filter.since, r.filter.until, r.filter.order]).toEqual([parseDateTime('2026-02-22T00:00:00Z'), now, 'DESC']);
    expect(defaultSince(now)).toBe(parseDateTime('2026-02-22T00:00:00Z'));
  });

  it('leaves until unbounded for live subscriptions', () => {
    const r = parseEventFilter({ occurred: { since: '2026-08-21T00:00:00Z' } }, { now, missingUntil: 'unbounded' });
    expect(r.ok && r.filter.until).toBeNull();
  });

  it("accepts the Python SDK's fully expanded filter with nulls and empty lists", () => {
    const sdk = {
      occurred: { since: '2026-08-21T00:00:00Z', until: '2027-08-21T00:00:00Z' },
      event: null, resource: null, related: null, any_resource: null,
      id: { id: [] }, follows: null, text: null, order: 'DESC',
    };
    const r = parseEventFilter(sdk, { now, missingUntil: 'now' });
    expect(r.ok && r.filter).toEqual({
      since: parseDateTime('2026-08-21T00:00:00Z'), until: parseDateTime('2027-08-21T00:00:00Z'),
      event: {}, resource: {}, distinct: false, related: [], anyResource: [], order: 'DESC',
    });
  });

  it('normalises lists, label specs and ids', () => {
    const r = parseEventFilter(
      {
        event: { prefix: ['a.'], name: [] },
        resource: { labels: { 'prefect.resource.name': 'x*', tier: ['gold', '!silver'] }, distinct: true },
        related: [{ role: ['flow'] }, {}],
        any_resource: { id_prefix: ['p.'] },
        id: { id: ['0F6F2D3E-1D7B-4A5E-9A63-2B8F7C1E9A10'] },
        follows: { id: ['1F6F2D3E1D7B4A5E9A632B8F7C1E9A10', '2f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10'] },
        text: { query: 'Boom -Debug' },
      },
      { now, missingUntil: 'now' },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.filter.event).toEqual({ prefixes: ['a.'] });
    expect(r.filter.resource.labels).toEqual([
      { label: 'prefect.resource.name', patterns: ['x*'] },
      { label: 'tier', patterns: ['gold', '!silver'] },
    ]);
    expect(r.filter.distinct).toBe(true);
    expect(r.filter.related).toEqual([{ roles: ['flow'] }]);
    expect(r.filter.anyResource).toEqual([{ idPrefixes: ['p.'] }]);
    expect(r.filter.ids).toEqual(['0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10']);
    expect(r.filter.follows).toEqual(['1f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10', '2f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10']);
    expect(r.filter.text).toEqual({ include: ['boom'], exclude: ['debug'], required: [] });
  });

  it('refuses unknown keys at any depth, with pointers', () => {
    const r = parseEventFilter({ event: { prefixes: ['x'] }, colour: 1 }, { now, missingUntil: 'now', basePath: ['filter'] });
    expect(r.ok ? [] : r.issues.map((i) => [i.pointer, i.type])).toEqual(
      expect.arrayContaining([
        ['/filter/event/prefixes', 'extra_forbidden'],
        ['/filter/colour', 'extra_forbidden'],
      ]),
    );
  });

  it('refuses bad dates, ids, order and long text queries', () => {
    for (const bad of [{ event: { prefix: ['a\u0000'] } }, { resource: { labels: { 'x\u0000': 'y' } } }, { text: { query: 'a\u0000' } }, { occurred: { since: 'soon' } }, { id: { id: ['x'] } }, { order: 'UP' }, { text: { query: 'x'.repeat(201) } }, { text: {} }, []]) {
      expect(parseEventFilter(bad, { now, missingUntil: 'now' }).ok).toBe(false);
    }
  });

  it('takes follows ids as event ids are taken, and at most MAX_FOLLOWS_IDS of them', () => {
    const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    const issues = (input: unknown) => {
      const r = parseEventFilter(input, { now, missingUntil: 'now', basePath: ['filter'] });
      return r.ok ? [] : r.issues.map((i) => [i.pointer, i.type]);
    };
    expect(issues({ follows: { id: Array.from({ length: MAX_FOLLOWS_IDS }, (_, n) => id(n)) } })).toEqual([]);
    expect(issues({ follows: { id: Array.from({ length: MAX_FOLLOWS_IDS + 1 }, (_, n) => id(n)) } })).toEqual([['/filter/follows/id', 'maxItems']]);
    expect(issues({ follows: { id: [id(1), 'nope'] } })).toEqual([['/filter/follows/id/1', 'format']]);
    expect(issues({ follows: { ids: [id(1)] } })).toEqual([['/filter/follows/ids', 'extra_forbidden']]);
    const empty = parseEventFilter({ follows: { id: [] } }, { now, missingUntil: 'now' });
    expect(empty.ok && 'follows' in empty.filter).toBe(false);
  });
});
