import type { Logger } from 'pino';
import { connectRedis } from '../messaging/redis-connection.js';
import type { RateDecision, RateLimiter } from './rate-limiter.js';

export interface SharedRateLimiter extends RateLimiter {
  close(): Promise<void>;
}

/**
 * The token bucket of `rate-limiter.ts`, kept in Redis so that replicas share it: `KEYS[1]` is the
 * bucket, `ARGV` the rate and the capacity. Redis's own clock refills it, so replicas whose clocks
 * differ agree. Returns `{1}` for a token taken, or `{0, ms until the next token}`.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + (now - at) / 1000 * rate)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(1000 * math.max(1, 1 / rate)) + 1000)
if taken == 1 then return {1} end
return {0, math.ceil((1 - tokens) / rate * 1000)}
`;

/**
 * A rate limiter shared by replicas (`HERALD_REDIS_URL`): one bucket per webhook in Redis
 * (`<prefix>rate:<webhook id>`), so a webhook's limit holds across all replicas together. A bucket
 * expires once it would be full again. While Redis cannot be reached, each replica falls back to
 * its own in-memory limiter (`fallback`), so requests keep flowing with the limit enforced per
 * replica, and says so once.
 *
 * @example
 * const limiter = await createSharedRateLimiter({ url, prefix: 'herald:', fallback: createRateLimiter(Date.now), logger });
 * const decision = await limiter.take(webhook.id, 100);
 */
export async function createSharedRateLimiter(options: { url: string; prefix: string; fallback: RateLimiter; logger: Logger }): Promise<SharedRateLimiter> {
  const log = options.logger.child({ component: 'webhook-rate-limit' });
  // A request never waits for Redis to come back: a command fails at once and the fallback decides.
  const redis = await connectRedis(options.url, log, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const key = (id: string) => `${options.prefix}rate:${id}`;
  let degraded = false;

  return {
    async take(id, rate): Promise<RateDecision> {
      if (!(rate > 0)) return { ok: true };
      try {
        const reply = (await redis.eval(TAKE, 1, key(id), rate, Math.max(1, rate))) as number[];
        if (degraded) log.info('the webhook rate limit is shared through Redis again');
        degraded = false;
        return reply[0] === 1 ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((reply[1] ?? 1000) / 1000)) };
      } catch (error) {
        if (!degraded) log.warn({ err: error }, 'Redis is unreachable: each replica enforces webhook rate limits on its own until it is back');
        degraded = true;
        return options.fallback.take(id, rate);
      }
    },
    forget(id) {
      options.fallback.forget(id);
      redis.del(key(id)).catch((error: unknown) => log.debug({ err: error }, 'could not drop a rate-limit bucket'));
    },
    async close() {
      redis.disconnect();
    },
  };
}
