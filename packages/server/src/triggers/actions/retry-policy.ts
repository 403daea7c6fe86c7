/** How often and how patiently a failed action is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** Delay cap before the first retry, ms. */
  baseMs: number;
  /** Largest delay cap, ms. */
  maxMs: number;
}

/** Five attempts, waits capped at 1 s, 2 s, 4 s, 8 s (and never more than 60 s). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 5, baseMs: 1000, maxMs: 60_000 });

/**
 * The wait before the next attempt after attempt number `attempt` (1-based) failed: exponential
 * backoff with full jitter, a uniform draw in `[0, min(maxMs, baseMs · 2^(attempt−1))]`. Full jitter
 * spreads retries of many actions that failed together (one receiver down) instead of bunching them.
 * `random` returns a number in `[0, 1)`, as `Math.random` does.
 *
 * @example
 * retryDelayMs(1, DEFAULT_RETRY_POLICY, () => 0.5) // 500
 * retryDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.5) // 2000
 * retryDelayMs(20, DEFAULT_RETRY_POLICY, () => 0.5) // 30000 (capped at 60 s, halved by the draw)
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2^exponent overflows to Infinity for huge attempts; Math.min still caps it.
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(cap * draw);
}

/**
 * Whether another attempt follows after attempt number `attempt` failed in a retryable way.
 *
 * @example
 * hasAttemptsLeft(4, DEFAULT_RETRY_POLICY) // true: attempt 5 may still run
 * hasAttemptsLeft(5, DEFAULT_RETRY_POLICY) // false
 */
export function hasAttemptsLeft(attempt: number, policy: RetryPolicy): boolean {
  return attempt < policy.maxAttempts;
}
