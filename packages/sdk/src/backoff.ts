/** How long to wait between reconnection attempts. */
export interface BackoffOptions {
  /** The base delay of the first retry, in ms. Default 100. */
  initialDelayMs?: number;
  /** The ceiling of any delay, in ms. Default 10 000. */
  maxDelayMs?: number;
}

/**
 * The client's default reconnection delays: 100 ms doubling up to 10 s.
 *
 * @example
 * createHeraldClient({ backoff: { ...DEFAULT_BACKOFF, maxDelayMs: 30_000 } });
 */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelayMs: 100, maxDelayMs: 10_000 };

/**
 * The delay before retry number `attempt` (0 for the first retry): exponential, capped, with "equal
 * jitter" (half fixed, half random), so that many clients cut off together do not reconnect in step,
 * and no retry comes back instantly.
 *
 * @example
 * backoffDelay(0, {}, () => 0.5) // 75: between 50 and 100 ms
 * backoffDelay(20, {}, Math.random) // between 5 000 and 10 000 ms
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialDelayMs, maxDelayMs } = { ...DEFAULT_BACKOFF, ...options };
  // 2 ** 30 already exceeds any sane ceiling; clamping the exponent avoids Infinity.
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
