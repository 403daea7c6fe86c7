import { describe, expect, it } from 'vitest';
import { chooseBucket, formatDuration, stepRange } from './time-range.js';

const NOW = Date.parse('2026-11-22T12:00:00.000Z');

describe('stepRange', () => {
  it('steps a span back by its length into a fixed range', () => {
    expect(stepRange({ kind: 'span', seconds: 3600 }, -1, NOW)).toEqual({ kind: 'range', since: '2026-11-22T10:00:00.000Z', until: '2026-11-22T11:00:00.000Z' });
  });

  it('steps forward back to the live span when it reaches now', () => {
    const back = stepRange({ kind: 'span', seconds: 3600 }, -1, NOW);
    expect(stepRange(back, 1, NOW)).toEqual({ kind: 'span', seconds: 3600 });
  });

  it('steps a fixed range forward by its length', () => {
    expect(stepRange({ kind: 'range', since: '2026-11-20T00:00:00.000Z', until: '2026-11-20T06:00:00.000Z' }, 1, NOW)).toEqual({
      kind: 'range',
      since: '2026-11-20T06:00:00.000Z',
      until: '2026-11-20T12:00:00.000Z',
    });
  });
});

describe('chooseBucket', () => {
  it('keeps at most 120 buckets, from a fixed ladder', () => {
    expect(chooseBucket(86_400_000).seconds).toBe(900);
    expect(chooseBucket(3_600_000).seconds).toBe(30);
    expect(chooseBucket(2_000).seconds).toBe(1);
    for (const ms of [1_000, 60_000, 7 * 86_400_000, 400 * 86_400_000]) expect(ms / 1000 / chooseBucket(ms).seconds).toBeLessThanOrEqual(120);
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(90)).toBe('1m 30s');
    expect(formatDuration(90_061)).toBe('1d 1h');
  });
});
