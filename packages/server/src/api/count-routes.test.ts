import { parseDateTime } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApiHarness, testEvent, type HttpApiHarness } from '../test-support/http-api-harness.js';

// A Wednesday afternoon; the week ends on Sunday 2024-05-12.
const NOW = parseDateTime('2024-05-08T13:00:00Z')!;
const MAY = { since: '2024-05-01T00:00:00Z', until: '2024-05-31T00:00:00Z' };
// The API runs the same on both stores: pages and counts are checked on each.
describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
  let h: HttpApiHarness;

  const at = (occurred: string, event: string, resource: Record<string, string>) => testEvent({ occurred, event, resource });
  const r1 = { 'prefect.resource.id': 'r1', 'prefect.resource.name': 'Resource One' };
  const r2 = { 'prefect.resource.id': 'r2' };

  beforeAll(async () => {
    h = await startHttpApiHarness({ dialect, now: NOW });
    const events = [
      at('2024-05-01T00:00:00Z', 'a.two', r2),
      at('2024-05-06T01:00:00Z', 'a.one', r1),
      at('2024-05-06T01:00:00Z', 'a.one', r1),
      at('2024-05-06T01:00:00Z', 'a.one', r1),
      at('2024-05-07T10:00:00Z', 'a.two', r2),
      at('2024-05-07T10:00:00Z', 'a.two', r2),
      at('2024-05-08T12:00:00.250000Z', 'a.one', { 'prefect.resource.id': 'r1', 'prefect.resource.name': 'R1 newest' }),
      at('2024-05-08T12:00:00.750000Z', 'a.three', { 'prefect.resource.id': 'r3', 'prefect.name': 'Three' }),
      // In the future of the clock but inside the query window.
      at('2024-05-09T05:00:00Z', 'a.three', { 'prefect.resource.id': 'r4' }),
    ];
    const res = await h.app.inject({ method: 'POST', url: '/api/events', payload: events });
    expect(res.statusCode).toBe(204);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function countBy(countable: string, body: unknown) {
    const res = await h.app.inject({ method: 'POST', url: `/api/events/count-by/${countable}`, payload: body as object });
    return { status: res.statusCode, json: res.json() };
  }

  describe('POST /api/events/count-by/time', () => {
    it('fills daily buckets, cuts off at the end of today, and ignores later rows', async () => {
      const { status, json } = await countBy('time', { filter: { occurred: MAY } });
      expect(status).toBe(200);
      expect(json.map((r: { count: number }) => r.count)).toEqual([1, 0, 0, 0, 0, 3, 2, 2]);
      expect(json.map((r: { value: string }) => r.value)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
      expect(json[0]).toEqual({
        value: '0',
        label: '2024-05-01T00:00:00+00:00',
        count: 1,
        start_time: '2024-05-01T00:00:00Z',
        end_time: '2024-05-01T23:59:59.999999Z',
      });
      expect(json.at(-1).start_time).toBe('2024-05-08T00:00:00Z');
    });

    it('starts week buckets on Monday and cuts off at the end of the current week', async () => {
      const { json } = await countBy('time', { filter: { occurred: MAY }, time_unit: 'week' });
      expect(json.map((r: { label: string; count: number }) => [r.label, r.count])).toEqual([
        ['2024-04-29T00:00:00+00:00', 1],
        ['2024-05-06T00:00:00+00:00', 8],
      ]);
      expect(json[1].end_time).toBe('2024-05-12T23:59:59.999999Z');
    });

    it('counts sub-second buckets', async () => {
      const { json } = await countBy('time', {
        filter: { occurred: { since: '2024-05-08T12:00:00Z', until: '2024-05-08T12:00:01Z' } },
        time_unit: 'second',
        time_interval: 0.5,
      });
      expect(json).toEqual([
        {
          value: '0',
          label: '2024-05-08T12:00:00+00:00',
          count: 1,
          start_time: '2024-05-08T12:00:00Z',
          end_time: '2024-05-08T12:00:00.499999Z',
        },
        {
          value: '1',
          label: '2024-05-08T12:00:00.500000+00:00',
          count: 1,
          start_time: '2024-05-08T12:00:00.500000Z',
          end_time: '2024-05-08T12:00:00.999999Z',
        },
      ]);
    });

    it('aligns multi-day buckets to the pivot and numbers them from 0', async () => {
      const { json } = await countBy('time', {
        filter: { occurred: { since: '2024-05-06T00:00:00Z', until: '2024-05-08T00:00:00Z' } },
        time_interval: 2,
      });
      // 2024-04-01 + 17 × 2 days = 2024-05-05: the first bucket starts before since.
      expect(json.map((r: { value: string; start_time: string; count: number }) => [r.value, r.start_time, r.count])).toEqual([
        ['0', '2024-05-05T00:00:00Z', 3],
        ['1', '2024-05-07T00:00:00Z', 2],
      ]);
    });

    it('does not emit the bucket that starts exactly at a past until', async () => {
      const { json } = await countBy('time', { filter: { occurred: { since: '2024-05-06T00:00:00Z', until: '2024-05-08T00:00:00Z' } } });
      expect(json.map((r: { start_time: string }) => r.start_time)).toEqual(['2024-05-06T00:00:00Z', '2024-05-07T00:00:00Z']);
    });

    it('refuses too many buckets with 422 and the bucket count', async () => {
      const { status, json } = await countBy('time', { filter: {}, time_unit: 'hour' });
      expect(status).toBe(422);
      expect(json.code).toBe('COUNT_TOO_MANY_BUCKETS');
      // Default window: start of today − 180 days … now = 180 × 24 + 13 hours.
      expect(json.details).toEqual({ buckets: 4333, max: 1000 });
      expect(typeof json.detail).toBe('string');
    });
  });

  describe('POST /api/events/count-by/day', () => {
    it('is time with unit day and interval 1, whatever the body says', async () => {
      const body = { filter: { occurred: { since: '2024-04-01T00:00:00Z', until: MAY.until } }, time_unit: 'second', time_interval: 7 };
      const { status, json } = await countBy('day', body);
      expect(status).toBe(200);
      expect(json).toHaveLength(38);
      expect(json[0].label).toBe('2024-04-01T00:00:00+00:00');
      expect(json.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(8);
    });
  });

  describe('POST /api/events/count-by/event and /resource', () => {
    it('counts per event name, by count then label, with first and last times', async () => {
      const { status, json } = await countBy('event', { filter: { occurred: MAY } });
      expect(status).toBe(200);
      expect(json).toEqual([
        { value: 'a.one', label: 'a.one', count: 4, start_time: '2024-05-06T01:00:00Z', end_time: '2024-05-08T12:00:00.250000Z' },
        { value: 'a.two', label: 'a.two', count: 3, start_time: '2024-05-01T00:00:00Z', end_time: '2024-05-07T10:00:00Z' },
        { value: 'a.three', label: 'a.three', count: 2, start_time: '2024-05-08T12:00:00.750000Z', end_time: '2024-05-09T05:00:00Z' },
      ]);
    });

    it("labels resources from their newest event's name, prefect.name, or id", async () => {
      const { json } = await countBy('resource', { filter: { occurred: MAY } });
      expect(json.map((r: { value: string; label: string; count: number }) => [r.value, r.label, r.count])).toEqual([
        ['r1', 'R1 newest', 4],
        ['r2', 'r2', 3],
        ['r3', 'Three', 1],
        ['r4', 'r4', 1],
      ]);
    });

    it('applies the bucket check to every countable', async () => {
      for (const countable of ['event', 'resource']) {
        const { status, json } = await countBy(countable, { filter: { occurred: MAY }, time_unit: 'minute' });
        expect(status).toBe(422);
        expect(json.code).toBe('COUNT_TOO_MANY_BUCKETS');
      }
    });
  });

  describe('count-by refusals', () => {
    it('refuses an unknown countable in the path', async () => {
      const { status, json } = await countBy('month', { filter: {} });
      expect(status).toBe(422);
      expect(json.code).toBe('QUERY_INVALID');
      expect(json.exception_detail).toEqual([expect.objectContaining({ type: 'enum', loc: ['path', 'countable'], input: 'month' })]);
    });

    it('requires a filter', async () => {
      for (const body of [{}, { filter: null }, undefined]) {
        const res = await h.app.inject({ method: 'POST', url: '/api/events/count-by/event', ...(body ? { payload: body } : {}) });
        expect(res.statusCode).toBe(422);
        expect(res.json().exception_detail[0].loc).toEqual(['body', 'filter']);
      }
    });

    it.each([
      [{ time_unit: 'year' }, 'enum', 'time_unit'],
      [{ time_interval: 0.001 }, 'greater_than_equal', 'time_interval'],
      [{ time_interval: 'x' }, 'float_type', 'time_interval'],
      [{ time_interval: null }, 'float_type', 'time_interval'],
    ])('refuses %j with %s', async (extra, type, field) => {
      const { status, json } = await countBy('time', { filter: {}, ...extra });
      expect(status).toBe(422);
      expect(json.exception_detail).toEqual([expect.objectContaining({ type, loc: ['body', field], pointer: `/${field}` })]);
    });

    it('refuses an interval too large to represent', async () => {
      const { status, json } = await countBy('time', { filter: {}, time_unit: 'week', time_interval: 1e12 });
      expect(status).toBe(422);
      expect(json.code).toBe('QUERY_INVALID');
      expect(typeof json.detail).toBe('string');
    });

    it('refuses a bad filter with a pointer into it', async () => {
      const { status, json } = await countBy('time', { filter: { occurred: { since: 'soon' } } });
      expect(status).toBe(422);
      expect(json.exception_detail[0]).toMatchObject({ loc: ['body', 'filter', 'occurred', 'since'], pointer: '/filter/occurred/since' });
    });
  });
});
