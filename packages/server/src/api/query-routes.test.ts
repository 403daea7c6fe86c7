import { formatDateTime, MAX_FOLLOWS_IDS, parseDateTime } from '@herald/core';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePageToken } from '../domain/page-token.js';
import { startHttpApiHarness, testEvent, type HttpApiHarness } from '../test-support/http-api-harness.js';

const NOW = parseDateTime('2026-08-21T12:00:00Z')!;
const HOST = 'herald.example:4200';
// The API runs the same on both stores: pages and counts are checked on each.
describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
  let h: HttpApiHarness;
  const all: Record<string, unknown>[] = [];

  interface Page {
    events: { id: string; occurred: string; event: string; resource: Record<string, string> }[];
    total: number;
    next_page: string | null;
  }

  beforeAll(async () => {
    h = await startHttpApiHarness({ dialect, now: NOW });
    // 70 events one second apart, and 60 sharing one instant: ties must neither overlap nor skip.
    for (let i = 0; i < 70; i++) {
      all.push(
        testEvent({
          occurred: formatDateTime(parseDateTime('2026-08-21T10:00:00Z')! + i * 1_000_000),
          event: i % 2 ? 'acme.model.refreshed' : 'acme.job.finished',
          resource: { 'prefect.resource.id': `acme.model.${i % 7}` },
        }),
      );
    }
    for (let i = 0; i < 60; i++) {
      all.push(
        testEvent({
          occurred: '2026-08-21T09:00:00Z',
          event: 'acme.job.finished',
          resource: { 'prefect.resource.id': `acme.model.${i % 7}` },
        }),
      );
    }
    const res = await h.app.inject({ method: 'POST', url: '/api/events', payload: all });
    expect(res.statusCode).toBe(204);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function first(body: unknown) {
    const res = await h.app.inject({ method: 'POST', url: '/api/events/filter', payload: body as object, headers: { host: HOST } });
    return { status: res.statusCode, json: res.json() };
  }

  async function next(url: string) {
    const { pathname, search } = new URL(url);
    const res = await h.app.inject({ method: 'GET', url: pathname + search, headers: { host: HOST } });
    return { status: res.statusCode, json: res.json() };
  }

  async function readAll(body: unknown): Promise<Page[]> {
    const pages: Page[] = [];
    let res = await first(body);
    expect(res.status).toBe(200);
    pages.push(res.json as Page);
    while (pages.at(-1)!.next_page) {
      // A token that stops advancing must fail the test, not loop until the timeout.
      expect(pages.length).toBeLessThan(200);
      res = await next(pages.at(-1)!.next_page!);
      expect(res.status).toBe(200);
      pages.push(res.json as Page);
    }
    return pages;
  }

  describe('POST /api/events/filter and GET /api/events/filter/next', () => {
    it('pages through every event once, newest first, with a frozen total', async () => {
      const pages = await readAll({ limit: 50 });
      expect(pages.map((p) => p.events.length)).toEqual([50, 50, 30]);
      expect(pages.every((p) => p.total === 130)).toBe(true);
      const ids = pages.flatMap((p) => p.events.map((e) => e.id));
      expect(new Set(ids).size).toBe(130);
      expect(new Set(ids)).toEqual(new Set(all.map((e) => e.id)));
      const times = pages.flatMap((p) => p.events.map((e) => parseDateTime(e.occurred)!));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('skips the total with ?count=false, on the first page and every later one (Herald only)', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/events/filter?count=false', payload: { limit: 50 }, headers: { host: HOST } });
      expect(res.statusCode).toBe(200);
      const pages: Page[] = [res.json()];
      while (pages.at(-1)!.next_page) pages.push((await next(pages.at(-1)!.next_page!)).json as Page);
      expect(pages.map((p) => p.events.length)).toEqual([50, 50, 30]);
      expect(pages.map((p) => p.total)).toEqual([null, null, null]);
      expect(new Set(pages.flatMap((p) => p.events.map((e) => e.id))).size).toBe(130);
      const counted = await h.app.inject({ method: 'POST', url: '/api/events/filter?count=true', payload: { limit: 1 } });
      expect(counted.json().total).toBe(130);
      const bad = await h.app.inject({ method: 'POST', url: '/api/events/filter?count=maybe', payload: { limit: 1 } });
      expect(bad.statusCode).toBe(422);
    });

    it('builds an absolute next_page from the Host header, with the page-token parameter', async () => {
      const { json } = await first({ limit: 10 });
      expect(json.next_page).toMatch(/^http:\/\/herald\.example:4200\/api\/events\/filter\/next\?page-token=[A-Za-z0-9=]+$/);
    });

    it('pages in ascending order with small pages', async () => {
      const pages = await readAll({ limit: 7, filter: { order: 'ASC' } });
      expect(pages).toHaveLength(19);
      const times = pages.flatMap((p) => p.events.map((e) => parseDateTime(e.occurred)!));
      expect(times).toHaveLength(130);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(new Set(pages.flatMap((p) => p.events.map((e) => e.id))).size).toBe(130);
    });

    it('keeps the first page window for later pages', async () => {
      const res = await first({ limit: 100 });
      const later = testEvent({ occurred: '2026-08-21T12:30:00Z' });
      h.clock.now = parseDateTime('2026-08-21T13:00:00Z')!;
      try {
        expect((await h.app.inject({ method: 'POST', url: '/api/events', payload: [later] })).statusCode).toBe(204);
        const second = await next(res.json.next_page as string);
        expect(second.json.total).toBe(130);
        expect(second.json.events).toHaveLength(30);
        expect(second.json.events.some((e: { id: string }) => e.id === later.id)).toBe(false);
        expect((await first({ limit: 1 })).json.total).toBe(131);
      } finally {
        h.clock.now = NOW;
      }
    });

    it('defaults to 50 events and accepts up to the configured maximum', async () => {
      expect((await first({})).json.events).toHaveLength(50);
      const big = await first({ limit: 200 });
      expect(big.status).toBe(200);
      expect(big.json.events).toHaveLength(130);
      expect(big.json.next_page).toBeNull();
    });

    it('answers an omitted body with the default filter', async () => {
      const bare = await h.app.inject({ method: 'POST', url: '/api/events/filter' });
      expect(bare.statusCode).toBe(200);
      expect(bare.json().total).toBe(130);
      const empty = await h.app.inject({
        method: 'POST',
        url: '/api/events/filter',
        body: '',
        headers: { 'content-type': 'application/json' },
      });
      expect(empty.statusCode).toBe(200);
    });

    it("accepts the Python SDK's fully expanded filter with nulls and empty lists", async () => {
      const filter = {
        occurred: { since: '2026-08-21T00:00:00Z', until: '2026-08-21T11:00:00Z' },
        event: { prefix: null, exclude_prefix: [], name: ['acme.job.finished'], exclude_name: null },
        resource: null,
        related: null,
        any_resource: null,
        id: { id: [] },
        text: null,
        order: 'DESC',
      };
      const res = await first({ filter, limit: 50 });
      expect(res.status).toBe(200);
      expect(res.json.total).toBe(95);
      expect(res.json.events.every((e: { event: string }) => e.event === 'acme.job.finished')).toBe(true);
    });

    it('counts distinct resources in distinct mode', async () => {
      const res = await first({ filter: { resource: { distinct: true } }, limit: 50 });
      expect(res.json.total).toBe(7);
      expect(new Set(res.json.events.map((e: { resource: Record<string, string> }) => e.resource['prefect.resource.id'])).size).toBe(
        res.json.events.length,
      );
    });

    it('returns no events and no next page for limit 0', async () => {
      const res = await first({ limit: 0 });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ events: [], total: 130, next_page: null });
    });
  });

  describe('query refusals', () => {
    it.each([
      [201, 'less_than_equal'],
      [-1, 'greater_than_equal'],
      ['10', 'int_type'],
      [2.5, 'int_type'],
      [null, 'int_type'],
    ])('refuses limit %j with 422 %s', async (limit, type) => {
      const res = await first({ limit });
      expect(res.status).toBe(422);
      expect(res.json.code).toBe('QUERY_INVALID');
      expect(res.json.exception_detail).toEqual([
        expect.objectContaining({ type, loc: ['body', 'limit'], pointer: '/limit', input: limit }),
      ]);
    });

    it('refuses unknown filter keys at any depth with FILTER_INVALID and a pointer', async () => {
      const res = await first({ filter: { event: { prefix: ['a'], bogus: 1 } } });
      expect(res.status).toBe(422);
      expect(res.json.code).toBe('FILTER_INVALID');
      expect(res.json.exception_message).toBe('Invalid request received.');
      expect(res.json.exception_detail).toEqual([
        expect.objectContaining({ type: 'extra_forbidden', loc: ['body', 'filter', 'event', 'bogus'], pointer: '/filter/event/bogus' }),
      ]);
      expect(res.json.request_body).toEqual({ filter: { event: { prefix: ['a'], bogus: 1 } } });
    });

    it('refuses bad timestamps, types and text queries in the filter', async () => {
      const bad = [
        { occurred: { since: 'not a date' } },
        { occurred: { until: '2026-13-01T00:00:00Z' } },
        { event: { name: 'not-a-list' } },
        { id: { id: ['nope'] } },
        { text: { query: 'q'.repeat(201) } },
        { order: 'SIDEWAYS' },
        { resource: { labels: { x: [1] } } },
        { related: [{ resources_in_roles: [['only-one']] }] },
        'a string',
      ];
      for (const filter of bad) {
        const res = await first({ filter });
        expect(res.status, JSON.stringify(filter)).toBe(422);
        expect(res.json.code).toBe('FILTER_INVALID');
        expect(res.json.exception_detail[0].loc.slice(0, 2)).toEqual(['body', 'filter']);
      }
    });

    it('finds the followers of an event with the follows clause (Herald only), in pages', async () => {
      const leader = all[3]!.id as string;
      const followers = [0, 1, 2].map((i) =>
        testEvent({ occurred: formatDateTime(parseDateTime('2026-08-21T11:00:00Z')! + i * 1_000_000), resource: { 'prefect.resource.id': `acme.other.${i}` }, follows: leader.toUpperCase() }),
      );
      expect((await h.app.inject({ method: 'POST', url: '/api/events', payload: followers })).statusCode).toBe(204);
      const pages = await readAll({ filter: { follows: { id: [leader] } }, limit: 2 });
      expect(pages.map((p) => p.events.map((e) => e.id))).toEqual([[followers[2]!.id, followers[1]!.id], [followers[0]!.id]]);
      expect(pages[0]!.total).toBe(3);
      const counted = await h.app.inject({ method: 'POST', url: '/api/events/count-by/event', payload: { filter: { follows: { id: [leader] } } } });
      expect(counted.json()).toEqual([expect.objectContaining({ value: 'acme.model.refreshed', count: 3 })]);
    });

    it('refuses follows ids that are not UUIDs, or too many of them, as it refuses bad event ids', async () => {
      const tooMany = Array.from({ length: MAX_FOLLOWS_IDS + 1 }, () => randomUUID());
      for (const [follows, type, loc] of [
        [{ id: ['nope'] }, 'format', ['body', 'filter', 'follows', 'id', 0]],
        [{ id: tooMany }, 'maxItems', ['body', 'filter', 'follows', 'id']],
        [{ ids: [] }, 'extra_forbidden', ['body', 'filter', 'follows', 'ids']],
        [['x'], 'type', ['body', 'filter', 'follows']],
      ] as const) {
        const res = await first({ filter: { follows } });
        expect(res.status).toBe(422);
        expect(res.json.code).toBe('FILTER_INVALID');
        expect(res.json.exception_detail).toEqual([expect.objectContaining({ type, loc })]);
      }
    });

    it('refuses a body that is not an object', async () => {
      const res = await first([1, 2]);
      expect(res.status).toBe(422);
      expect(res.json.exception_detail[0]).toMatchObject({ type: 'dict_type', loc: ['body'] });
    });

    it('refuses a missing page-token with 422', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/api/events/filter/next' });
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('QUERY_INVALID');
      expect(res.json().exception_detail).toEqual([expect.objectContaining({ type: 'missing', loc: ['query', 'page-token'] })]);
    });

    it('refuses tampered and foreign tokens with 403 {"detail": "Forbidden"}', async () => {
      const { json } = await first({ limit: 5 });
      const token = new URL(json.next_page as string).searchParams.get('page-token')!;
      const wrap = (value: unknown) => Buffer.from(Buffer.from(JSON.stringify(value)).toString('base64')).toString('base64');
      const valid = { filter: {}, count: 3, page_size: 5, after: { occurred: NOW, seq: 1 } };
      const tokens = [
        'garbage!',
        '',
        token.slice(0, -4),
        token.slice(4),
        Buffer.from('not base64 inside').toString('base64'),
        wrap({ filter: {}, count: 10, page_size: 50, offset: 50 }),
        wrap({ ...valid, filter: { bogus: true } }),
        wrap({ ...valid, filter: { occurred: { since: 'yesterday' } } }),
        wrap({ ...valid, page_size: 201 }),
        wrap({ ...valid, after: { occurred: 'x', seq: 1 } }),
      ];
      for (const t of tokens) {
        const res = await h.app.inject({ method: 'GET', url: `/api/events/filter/next?page-token=${encodeURIComponent(t)}` });
        expect(res.statusCode, t).toBe(403);
        expect(res.json()).toMatchObject({ detail: 'Forbidden', code: 'PAGE_TOKEN_INVALID', statusCode: 403 });
      }
      const repeated = await h.app.inject({ method: 'GET', url: `/api/events/filter/next?page-token=${token}&page-token=${token}` });
      expect(repeated.statusCode).toBe(403);
    });

    it('accepts a well-formed token it did not issue, as tokens are not signed', async () => {
      const token = encodePageToken({ filter: { order: 'ASC' }, count: 999, page_size: 3, after: { occurred: 0, seq: 0 } });
      const res = await h.app.inject({ method: 'GET', url: `/api/events/filter/next?page-token=${token}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().total).toBe(999);
      expect(res.json().events).toHaveLength(3);
    });

    it('answers any token string with 200 or 403, never anything else', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string(), fc.base64String({ minLength: 1 })), async (t) => {
          const res = await h.app.inject({ method: 'GET', url: `/api/events/filter/next?page-token=${encodeURIComponent(t)}` });
          expect([200, 403]).toContain(res.statusCode);
        }),
        { numRuns: 60 },
      );
    });
  });
});
