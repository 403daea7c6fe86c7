import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt and keeps at least half of it (equal jitter)', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, { initialDelayMs: 100, maxDelayMs: 10_000 }, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, { initialDelayMs: 100, maxDelayMs: 10_000 }, () => 1))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the maximum, even for huge attempt numbers', () => {
    expect(backoffDelay(1_000_000, { initialDelayMs: 100, maxDelayMs: 5_000 }, () => 1)).toBe(5_000);
    expect(backoffDelay(1_000_000, { initialDelayMs: 100, maxDelayMs: 5_000 }, () => 0)).toBe(2_500);
  });

  it('stays within [ceiling/2, ceiling] for every attempt, base and jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 120_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, initialDelayMs, maxDelayMs, r) => {
          const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
          const delay = backoffDelay(attempt, { initialDelayMs, maxDelayMs }, () => r);
          return Number.isFinite(delay) && delay >= Math.floor(ceiling / 2) && delay <= Math.ceil(ceiling);
        },
      ),
    );
  });

  it('spreads clients that fail together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(6)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
