import { HeraldError, MICROS, parseDateTime } from '@herald/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertBucketCount,
  bucketDelta,
  bucketsBetween,
  COUNT_PIVOT,
  endOfPeriod,
  fillTimeBuckets,
  MAX_COUNT_BUCKETS,
  planTimeGrid,
  TIME_UNITS,
  type TimeUnit,
} from './count-buckets.js';

const t = (iso: string): number => parseDateTime(iso)!;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof HeraldError) return error.code;
    throw error;
  }
  return undefined;
}

// 2000-01-01 … 2200-01-01 in µs: inside the safe-integer range of microseconds.
const instant = fc.integer({ min: t('2000-01-01T00:00:00Z'), max: t('2200-01-01T00:00:00Z') });
const unit = fc.constantFrom<TimeUnit>(...TIME_UNITS);
const interval = fc.oneof(fc.constantFrom(0.01, 0.5, 1, 2, 7, 1.5), fc.double({ min: 0.01, max: 1000, noNaN: true }));

describe('COUNT_PIVOT', () => {
  it('is 2024-04-01T00:00:00Z, a Monday', () => {
    expect(COUNT_PIVOT).toBe(t('2024-04-01T00:00:00Z'));
    expect(new Date(COUNT_PIVOT / 1000).getUTCDay()).toBe(1);
  });
});

describe('bucketDelta', () => {
  it('multiplies the unit by the interval', () => {
    expect(bucketDelta('week', 1)).toBe(MICROS.week);
    expect(bucketDelta('day', 2)).toBe(2 * MICROS.day);
    expect(bucketDelta('hour', 0.5)).toBe(30 * MICROS.minute);
    expect(bucketDelta('second', 0.01)).toBe(10_000);
  });

  it('rounds to the microsecond, halves to even, as timedelta does', () => {
    expect(bucketDelta('second', 0.0100005)).toBe(10_000); // 10000.5 µs → even 10000
    expect(bucketDelta('second', 0.0100015)).toBe(10_002); // 10001.5 µs → even 10002
    expect(bucketDelta('second', 0.0100007)).toBe(10_001);
  });

  it('refuses intervals below 0.01 and beyond exact microseconds', () => {
    expect(codeOf(() => bucketDelta('day', 0.0099))).toBe('QUERY_INVALID');
    expect(codeOf(() => bucketDelta('day', 0))).toBe('QUERY_INVALID');
    expect(codeOf(() => bucketDelta('day', -1))).toBe('QUERY_INVALID');
    expect(codeOf(() => bucketDelta('day', Number.NaN))).toBe('QUERY_INVALID');
    expect(codeOf(() => bucketDelta('week', 1e12))).toBe('QUERY_INVALID');
  });

  it('is at least 1 µs and grows with the interval', () => {
    fc.assert(
      fc.property(unit, interval, interval, (u, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(bucketDelta(u, lo)).toBeGreaterThanOrEqual(1);
        expect(bucketDelta(u, lo)).toBeLessThanOrEqual(bucketDelta(u, hi));
      }),
    );
  });
});

describe('bucketsBetween and assertBucketCount', () => {
  it('is the ceiling of the range over the width', () => {
    expect(bucketsBetween(0, 10, 5)).toBe(2);
    expect(bucketsBetween(0, 11, 5)).toBe(3);
    expect(bucketsBetween(0, 0, 5)).toBe(0);
    expect(bucketsBetween(10, 0, 5)).toBe(-2);
  });

  it('accepts exactly 1000 buckets and refuses 1001', () => {
    expect(codeOf(() => assertBucketCount(0, 1000 * MICROS.hour, MICROS.hour))).toBeUndefined();
    expect(codeOf(() => assertBucketCount(0, 1000 * MICROS.hour + 1, MICROS.hour))).toBe('COUNT_TOO_MANY_BUCKETS');
  });

  it('reports the bucket count in its details', () => {
    try {
      assertBucketCount(0, 4321 * MICROS.hour, MICROS.hour);
      expect.unreachable();
    } catch (error) {
      expect((error as HeraldError).details).toEqual({ buckets: 4321, max: MAX_COUNT_BUCKETS });
      expect((error as HeraldError).status).toBe(422);
    }
  });

  it('refuses the 180-day default window for hours but not for days', () => {
    const now = t('2026-08-21T10:00:00Z');
    const since = t('2026-02-22T00:00:00Z');
    expect(codeOf(() => assertBucketCount(since, now, bucketDelta('day', 1)))).toBeUndefined();
    expect(codeOf(() => assertBucketCount(since, now, bucketDelta('hour', 1)))).toBe('COUNT_TOO_MANY_BUCKETS');
  });
});

describe('endOfPeriod', () => {
  it('ends the current second, minute, hour and day', () => {
    const now = t('2024-05-08T13:14:15.250000Z');
    expect(endOfPeriod(now, 'second')).toBe(t('2024-05-08T13:14:15.999999Z'));
    expect(endOfPeriod(now, 'minute')).toBe(t('2024-05-08T13:14:59.999999Z'));
    expect(endOfPeriod(now, 'hour')).toBe(t('2024-05-08T13:59:59.999999Z'));
    expect(endOfPeriod(now, 'day')).toBe(t('2024-05-08T23:59:59.999999Z'));
  });

  it('ends a week on Sunday 23:59:59.999999', () => {
    expect(endOfPeriod(t('2024-05-08T13:00:00Z'), 'week')).toBe(t('2024-05-12T23:59:59.999999Z'));
    expect(endOfPeriod(t('2024-05-12T23:59:59.999999Z'), 'week')).toBe(t('2024-05-12T23:59:59.999999Z'));
    expect(endOfPeriod(t('2024-05-13T00:00:00Z'), 'week')).toBe(t('2024-05-19T23:59:59.999999Z'));
    expect(endOfPeriod(t('2023-01-04T00:00:00Z'), 'week')).toBe(t('2023-01-08T23:59:59.999999Z'));
  });

  it('is the last microsecond of an aligned period containing now', () => {
    fc.assert(
      fc.property(instant, unit, (now, u) => {
        const end = endOfPeriod(now, u);
        expect(end).toBeGreaterThanOrEqual(now);
        expect(end - now).toBeLessThan(MICROS[u]);
        expect((((end + 1 - COUNT_PIVOT) % MICROS[u]) + MICROS[u]) % MICROS[u]).toBe(0);
      }),
    );
  });
});

describe('planTimeGrid', () => {
  const now = t('2026-01-01T00:00:00Z');

  it('starts week buckets on the Monday before since', () => {
    const plan = planTimeGrid({ since: t('2024-05-08T10:00:00Z'), until: t('2024-05-20T00:00:00Z'), now, unit: 'week', interval: 1 });
    const rows = fillTimeBuckets(plan, []);
    expect(rows.map((r) => r.label)).toEqual(['2024-05-06T00:00:00+00:00', '2024-05-13T00:00:00+00:00']);
    expect(rows[0]!.start_time).toBe('2024-05-06T00:00:00Z');
    expect(rows[0]!.end_time).toBe('2024-05-12T23:59:59.999999Z');
    expect(plan.first).toBe(5);
  });

  it('aligns 2-day buckets to the pivot, not to since', () => {
    const plan = planTimeGrid({ since: t('2024-04-04T12:00:00Z'), until: t('2024-04-08T00:00:00Z'), now, unit: 'day', interval: 2 });
    expect(fillTimeBuckets(plan, []).map((r) => r.start_time)).toEqual([
      '2024-04-03T00:00:00Z',
      '2024-04-05T00:00:00Z',
      '2024-04-07T00:00:00Z',
    ]);
  });

  it('handles sub-second grids with six-digit fractions', () => {
    const plan = planTimeGrid({ since: t('2024-04-01T00:00:01Z'), until: t('2024-04-01T00:00:02Z'), now, unit: 'second', interval: 0.5 });
    const rows = fillTimeBuckets(plan, []);
    expect(rows.map((r) => r.label)).toEqual(['2024-04-01T00:00:01+00:00', '2024-04-01T00:00:01.500000+00:00']);
    expect(rows[0]!.end_time).toBe('2024-04-01T00:00:01.499999Z');
    expect(rows[1]!.start_time).toBe('2024-04-01T00:00:01.500000Z');
  });

  it('puts grids before the pivot on the same lattice', () => {
    const plan = planTimeGrid({ since: t('2024-03-30T06:00:00Z'), until: t('2024-04-01T00:00:00Z'), now, unit: 'day', interval: 1 });
    expect(plan.first).toBe(-2);
    expect(fillTimeBuckets(plan, []).map((r) => r.start_time)).toEqual(['2024-03-30T00:00:00Z', '2024-03-31T00:00:00Z']);
  });

  it('cuts a future until off at the end of the current unit period', () => {
    const clock = t('2024-04-03T12:00:00Z');
    const plan = planTimeGrid({ since: t('2024-04-01T00:00:00Z'), until: t('2024-04-30T00:00:00Z'), now: clock, unit: 'day', interval: 1 });
    const rows = fillTimeBuckets(plan, []);
    expect(rows).toHaveLength(3);
    expect(rows.at(-1)!.end_time).toBe('2024-04-03T23:59:59.999999Z');
  });

  it('cuts weeks off at the end of the current week, ignoring the interval multiplier', () => {
    const clock = t('2024-04-10T12:00:00Z'); // a Wednesday
    const plan = planTimeGrid({
      since: t('2024-04-01T00:00:00Z'),
      until: t('2024-06-01T00:00:00Z'),
      now: clock,
      unit: 'week',
      interval: 0.5,
    });
    const rows = fillTimeBuckets(plan, []);
    expect(rows.at(-1)!.start_time).toBe('2024-04-11T12:00:00Z');
    expect(rows).toHaveLength(4);
  });

  it('emits nothing when the window lies wholly after the cut-off', () => {
    const clock = t('2024-04-03T12:00:00Z');
    const plan = planTimeGrid({ since: t('2024-04-10T00:00:00Z'), until: t('2024-04-12T00:00:00Z'), now: clock, unit: 'day', interval: 1 });
    expect(plan.size).toBe(0);
  });

  it('does not emit a bucket starting exactly at until', () => {
    const plan = planTimeGrid({ since: t('2024-04-01T00:00:00Z'), until: t('2024-04-03T00:00:00Z'), now, unit: 'day', interval: 1 });
    expect(plan.size).toBe(2);
  });

  it('refuses too many buckets', () => {
    const run = () => planTimeGrid({ since: t('2024-01-01T00:00:00Z'), until: t('2024-03-01T00:00:00Z'), now, unit: 'hour', interval: 1 });
    expect(codeOf(run)).toBe('COUNT_TOO_MANY_BUCKETS');
  });

  it('tiles the range: contiguous, aligned, covering since and reaching the end', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 400 * MICROS.day }), instant, unit, interval, (since, span, clock, u, iv) => {
        const until = since + span;
        const delta = bucketDelta(u, iv);
        if (bucketsBetween(since, until, delta) > MAX_COUNT_BUCKETS) {
          expect(codeOf(() => planTimeGrid({ since, until, now: clock, unit: u, interval: iv }))).toBe('COUNT_TOO_MANY_BUCKETS');
          return;
        }
        const plan = planTimeGrid({ since, until, now: clock, unit: u, interval: iv });
        const end = until > clock ? endOfPeriod(clock, u) : until;
        const firstStart = COUNT_PIVOT + plan.first * delta;
        expect(firstStart).toBeLessThanOrEqual(since);
        expect(firstStart + delta).toBeGreaterThan(since);
        if (plan.size > 0) {
          const lastStart = firstStart + (plan.size - 1) * delta;
          expect(lastStart).toBeLessThan(end);
          expect(lastStart + delta).toBeGreaterThanOrEqual(end);
        } else {
          expect(firstStart).toBeGreaterThanOrEqual(end);
        }
        // The cut-off can extend a future window by at most one unit period.
        expect(plan.size).toBeLessThanOrEqual(MAX_COUNT_BUCKETS + 2 + Math.ceil(MICROS[u] / delta));
      }),
    );
  });
});

describe('fillTimeBuckets', () => {
  const plan = { pivot: COUNT_PIVOT, delta: MICROS.day, first: 10, size: 3 };

  it('numbers rows by position and fills gaps with zero', () => {
    const rows = fillTimeBuckets(plan, [{ bucket: 11, count: 4 }]);
    expect(rows.map((r) => [r.value, r.count])).toEqual([
      ['0', 0],
      ['1', 4],
      ['2', 0],
    ]);
    expect(rows[0]).toEqual({
      value: '0',
      label: '2024-04-11T00:00:00+00:00',
      count: 0,
      start_time: '2024-04-11T00:00:00Z',
      end_time: '2024-04-11T23:59:59.999999Z',
    });
  });

  it('ignores counts outside the planned buckets', () => {
    const rows = fillTimeBuckets(plan, [
      { bucket: 9, count: 1 },
      { bucket: 13, count: 7 },
      { bucket: 12, count: 2 },
    ]);
    expect(rows.map((r) => r.count)).toEqual([0, 0, 2]);
  });

  it('keeps every in-range count and labels each bucket by its start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.record({ bucket: fc.integer({ min: -80, max: 80 }), count: fc.integer({ min: 1, max: 100 }) })),
        (first, size, counts) => {
          const p = { pivot: COUNT_PIVOT, delta: 90 * MICROS.minute, first, size };
          const rows = fillTimeBuckets(p, counts);
          expect(rows).toHaveLength(size);
          const inRange = counts.filter((c) => c.bucket >= first && c.bucket < first + size).reduce((s, c) => s + c.count, 0);
          expect(rows.reduce((s, r) => s + r.count, 0)).toBe(inRange);
          rows.forEach((row, i) => {
            expect(row.value).toBe(String(i));
            expect(parseDateTime(row.label)).toBe(COUNT_PIVOT + (first + i) * p.delta);
            expect(parseDateTime(row.end_time)! - parseDateTime(row.start_time)!).toBe(p.delta - 1);
          });
        },
      ),
    );
  });
});
