import { formatDateTime, formatIsoLabel, HeraldError, MICROS } from '@herald/core';

/**
 * The time grid of `POST /api/events/count-by/time` (spec §2.4): buckets of width `delta` anchored at a
 * fixed pivot, gap-filled, cut off at the end of the current unit period. Pure: times are integer
 * microseconds and `now` is passed in.
 */

export type TimeUnit = 'week' | 'day' | 'hour' | 'minute' | 'second';

export const TIME_UNITS: readonly TimeUnit[] = ['week', 'day', 'hour', 'minute', 'second'];

/** `2024-04-01T00:00:00Z`, a Monday: every grid is anchored here, so week buckets start on Mondays. */
export const COUNT_PIVOT = 1_711_929_600_000_000;

/** The most buckets one count may span, checked for every countable (as Prefect does). */
export const MAX_COUNT_BUCKETS = 1000;

/** The smallest `time_interval`. */
export const MIN_TIME_INTERVAL = 0.01;

/** One row of a count-by response, in the wire format. */
export interface EventCountRow {
  value: string;
  label: string;
  count: number;
  start_time: string;
  end_time: string;
}

/** The buckets a time count returns: absolute bucket `first + i` is emitted at position `i`. */
export interface TimeGridPlan {
  pivot: number;
  delta: number;
  /** Absolute index of the first bucket: the one containing `since` (it may start before `since`). */
  first: number;
  /** How many buckets are emitted. */
  size: number;
}

/** Floor division that stays exact for safe integers (a negative numerator rounds towards −∞). */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q -= 1;
  else if ((q + 1) * b <= a) q += 1;
  return q;
}

/** Python's `round()`: halves go to the even neighbour, as `timedelta` rounds to microseconds. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The bucket width in microseconds for `time_interval` units, rounded to the microsecond as Python's
 * `timedelta` does. Throws `QUERY_INVALID` below {@link MIN_TIME_INTERVAL} or beyond what microseconds
 * can represent exactly.
 *
 * @example
 * bucketDelta('hour', 0.5) // 1_800_000_000
 */
export function bucketDelta(unit: TimeUnit, interval: number): number {
  if (!(interval >= MIN_TIME_INTERVAL)) {
    throw new HeraldError('QUERY_INVALID', { message: `The minimum interval is ${MIN_TIME_INTERVAL}` });
  }
  const delta = roundHalfEven(interval * MICROS[unit]);
  if (!Number.isSafeInteger(delta)) {
    throw new HeraldError('QUERY_INVALID', { message: 'The time interval is too large' });
  }
  return delta;
}

/**
 * `ceil((until − since) / delta)`: how many buckets the range needs (Prefect's 1000-bucket check).
 *
 * @example
 * bucketsBetween(0, 25 * 3_600_000_000, 3_600_000_000) // 25
 */
export function bucketsBetween(since: number, until: number, delta: number): number {
  // ceil(a / b) = −floor(−a / b); `0 -` avoids returning −0.
  return 0 - floorDiv(since - until, delta);
}

/**
 * Throws `COUNT_TOO_MANY_BUCKETS`, with Prefect's detail text as the message, when the range would
 * need more than {@link MAX_COUNT_BUCKETS} buckets of width `delta`.
 */
export function assertBucketCount(since: number, until: number, delta: number): void {
  const buckets = bucketsBetween(since, until, delta);
  if (buckets > MAX_COUNT_BUCKETS) {
    throw new HeraldError('COUNT_TOO_MANY_BUCKETS', {
      message:
        `The given interval would create ${buckets} buckets, which is too many. Please increase the ` +
        `interval or reduce the time range to produce ${MAX_COUNT_BUCKETS} buckets or fewer.`,
      details: { buckets, max: MAX_COUNT_BUCKETS },
    });
  }
}

/**
 * The last microsecond of the UTC `unit` period containing `now`: the end of the current second, minute,
 * hour or day, or Sunday 23:59:59.999999 for weeks (weeks start on Monday).
 *
 * @example
 * endOfPeriod(Date.UTC(2024, 3, 3, 12) * 1000, 'week') // 2024-04-07T23:59:59.999999Z
 */
export function endOfPeriod(now: number, unit: TimeUnit): number {
  const size = MICROS[unit];
  // The pivot is a Monday at midnight, so periods anchored there are aligned for every unit.
  return COUNT_PIVOT + (floorDiv(now - COUNT_PIVOT, size) + 1) * size - 1;
}

export interface TimeGridOptions {
  since: number;
  until: number;
  now: number;
  unit: TimeUnit;
  interval: number;
}

/**
 * Plans the buckets of a time count. A future `until` is cut off at the end of the current `unit`
 * period (the interval multiplier is not applied there, as in Prefect). Validates the interval and
 * the 1000-bucket limit on the requested range.
 *
 * @example
 * const plan = planTimeGrid({ since, until, now, unit: 'day', interval: 1 });
 * const counts = await store.countByTime(filter, plan);
 * const rows = fillTimeBuckets(plan, counts);
 */
export function planTimeGrid(options: TimeGridOptions): TimeGridPlan {
  const { since, until, now, unit, interval } = options;
  const delta = bucketDelta(unit, interval);
  assertBucketCount(since, until, delta);
  const end = until > now ? endOfPeriod(now, unit) : until;
  const first = floorDiv(since - COUNT_PIVOT, delta);
  const firstStart = COUNT_PIVOT + first * delta;
  // Buckets are emitted while their start is before `end`.
  const size = firstStart < end ? bucketsBetween(firstStart, end, delta) : 0;
  return { pivot: COUNT_PIVOT, delta, first, size };
}

/**
 * Builds the gap-filled rows of a time count from the store's per-bucket counts. `value` is the row's
 * position, `label` the bucket start in Python `isoformat()` (`+00:00`), `end_time` the last
 * microsecond of the bucket. Counts outside the planned buckets are ignored.
 *
 * @example
 * fillTimeBuckets({ pivot, delta: MICROS.day, first: 0, size: 2 }, [{ bucket: 1, count: 3 }])
 * // [{ value: '0', label: '2024-04-01T00:00:00+00:00', count: 0, … }, { value: '1', …, count: 3 }]
 */
export function fillTimeBuckets(plan: TimeGridPlan, counts: readonly { bucket: number; count: number }[]): EventCountRow[] {
  const byBucket = new Map<number, number>();
  for (const { bucket, count } of counts) byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + count);
  const rows: EventCountRow[] = [];
  for (let i = 0; i < plan.size; i++) {
    const start = plan.pivot + (plan.first + i) * plan.delta;
    rows.push({
      value: String(i),
      label: formatIsoLabel(start),
      count: byBucket.get(plan.first + i) ?? 0,
      start_time: formatDateTime(start),
      end_time: formatDateTime(start + plan.delta - 1),
    });
  }
  return rows;
}
