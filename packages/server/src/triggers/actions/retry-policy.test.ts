import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, hasAttemptsLeft, retryDelayMs } from './retry-policy.js';

describe('retryDelayMs', () => {
  it('doubles the cap per attempt from the base, with full jitter', () => {
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(500);
    expect(retryDelayMs(2, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(1000);
    expect(retryDelayMs(4, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(4000);
    expect(retryDelayMs(4, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
    expect(retryDelayMs(4, DEFAULT_RETRY_POLICY, () => 0.999)).toBe(7992);
  });

  it('never exceeds the maximum, even for huge attempt numbers', () => {
    expect(retryDelayMs(10, DEFAULT_RETRY_POLICY, () => 0.9999)).toBe(59994);
    expect(retryDelayMs(5000, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(30000);
  });

  it('stays within [0, min(maxMs, baseMs·2^(attempt−1))] for any draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (attempt, baseMs, maxMs, draw) => {
          const delay = retryDelayMs(attempt, { maxAttempts: 5, baseMs, maxMs }, () => draw);
          const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
          return Number.isInteger(delay) && delay >= 0 && delay <= cap;
        },
      ),
    );
  });

  it('defaults to five attempts, 1 s base and 60 s cap', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 5, baseMs: 1000, maxMs: 60000 });
    expect(hasAttemptsLeft(4, DEFAULT_RETRY_POLICY)).toBe(true);
    expect(hasAttemptsLeft(5, DEFAULT_RETRY_POLICY)).toBe(false);
  });
});
