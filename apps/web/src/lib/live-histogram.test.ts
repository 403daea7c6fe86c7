import { describe, expect, it } from 'vitest';
import type { EventCount } from '@herald/sdk/browser';
import { addLiveEvents } from './live-histogram.js';

const bucket = (start: string, end: string, count: number): EventCount => ({ value: start, label: start, start_time: start, end_time: end, count });
const buckets = [bucket('2026-11-22T12:00:00.000Z', '2026-11-22T12:00:59.999Z', 3), bucket('2026-11-22T12:01:00.000Z', '2026-11-22T12:01:59.999Z', 0)];

describe('addLiveEvents', () => {
  it('increments the bucket each event falls in, without touching the input', () => {
    const next = addLiveEvents(buckets, ['2026-11-22T12:00:30Z', '2026-11-22T12:01:00Z', '2026-11-22T12:01:59.999Z']);
    expect(next.map((b) => b.count)).toEqual([4, 2]);
    expect(buckets.map((b) => b.count)).toEqual([3, 0]);
  });

  it('opens buckets of the same width for events after the last one', () => {
    const next = addLiveEvents(buckets, ['2026-11-22T12:03:10Z']);
    expect(next.map((b) => [b.start_time, b.end_time, b.count])).toEqual([
      ['2026-11-22T12:00:00.000Z', '2026-11-22T12:00:59.999Z', 3],
      ['2026-11-22T12:01:00.000Z', '2026-11-22T12:01:59.999Z', 0],
      ['2026-11-22T12:02:00.000Z', '2026-11-22T12:02:59.999Z', 0],
      ['2026-11-22T12:03:00.000Z', '2026-11-22T12:03:59.999Z', 1],
    ]);
  });

  it('leaves out events before the window and keeps no buckets as none', () => {
    expect(addLiveEvents(buckets, ['2026-11-22T11:59:00Z']).map((b) => b.count)).toEqual([3, 0]);
    expect(addLiveEvents([], ['2026-11-22T12:00:00Z'])).toEqual([]);
  });
});
