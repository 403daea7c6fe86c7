/** The answer of {@link RateLimiter.take}. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Per-key token buckets: each key may burst one second's worth of requests, then `rate` per second. */
export interface RateLimiter {
  /** Takes one token from `key`'s bucket (rate: tokens per second; 0 or less means unlimited). Replicas share buckets in Redis, hence the promise. */
  take(key: string, rate: number): RateDecision | Promise<RateDecision>;
  /** Forgets a key's bucket (its webhook was deleted or its limit changed). */
  forget(key: string): void;
}

/** The in-memory limiter decides at once. */
export interface LocalRateLimiter extends RateLimiter {
  take(key: string, rate: number): RateDecision;
}

interface Bucket {
  tokens: number;
  /** ms of the last refill. */
  at: number;
  rate: number;
}

/** Buckets idle this long are full again anyway; a sweep drops them so memory follows active keys. */
const SWEEP_EVERY = 10_000;

/**
 * A token-bucket rate limiter in memory, for one process (replicas share `redis-rate-limiter.ts`).
 *
 * @example
 * const limiter = createRateLimiter(() => Date.now());
 * const decision = limiter.take(webhook.id, 100);
 * if (!decision.ok) reply.header('retry-after', decision.retryAfterSeconds).code(429).send();
 */
export function createRateLimiter(nowMs: () => number): LocalRateLimiter {
  const buckets = new Map<string, Bucket>();
  let takes = 0;

  function sweep(now: number): void {
    for (const [key, bucket] of buckets) {
      // An empty bucket refills in capacity / rate = max(1, 1 / rate) seconds; after that, forgetting it changes nothing.
      if (now - bucket.at >= 1000 * Math.max(1, 1 / bucket.rate)) buckets.delete(key);
    }
  }

  return {
    take(key, rate) {
      if (!(rate > 0)) return { ok: true };
      const now = nowMs();
      if (++takes % SWEEP_EVERY === 0) sweep(now);
      const capacity = Math.max(1, rate);
      let bucket = buckets.get(key);
      if (bucket === undefined || bucket.rate !== rate) {
        bucket = { tokens: capacity, at: now, rate };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
        bucket.at = now;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)) };
    },
    forget(key) {
      buckets.delete(key);
    },
  };
}
