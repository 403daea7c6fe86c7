import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteRedisKeys, startPrivateRedis, TEST_REDIS_URL } from '../test-support/private-redis.js';
import { createRateLimiter } from './rate-limiter.js';
import { createSharedRateLimiter, type SharedRateLimiter } from './redis-rate-limiter.js';

// Two limiters stand for two replicas sharing the real Redis of this machine, under a fresh prefix.
const logger = pino({ level: 'silent' });
const prefix = `herald-test-${randomBytes(4).toString('hex')}:`;
const limiters: SharedRateLimiter[] = [];

afterAll(async () => {
  for (const limiter of limiters) await limiter.close();
  await deleteRedisKeys(prefix);
});

async function replica(url = TEST_REDIS_URL): Promise<SharedRateLimiter> {
  const limiter = await createSharedRateLimiter({ url, prefix, fallback: createRateLimiter(() => Date.now()), logger });
  limiters.push(limiter);
  return limiter;
}

describe('the shared webhook rate limiter', () => {
  it('holds one limit across replicas: a burst of one second in all, then 429 with Retry-After', async () => {
    const [a, b] = [await replica(), await replica()];
    const taken = [];
    for (let i = 0; i < 6; i++) taken.push((await (i % 2 === 0 ? a : b).take('hook-1', 5)).ok);
    expect(taken).toEqual([true, true, true, true, true, false]);
    expect(await a.take('hook-1', 5)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Another webhook has a bucket of its own; no limit means no bucket at all.
    expect((await b.take('hook-2', 5)).ok).toBe(true);
    for (let i = 0; i < 20; i++) expect((await a.take('hook-3', 0)).ok).toBe(true);
    // A deleted webhook, or one whose limit changed, starts with a full bucket.
    a.forget('hook-1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await b.take('hook-1', 5)).ok).toBe(true);
  });

  it('refills at the rate, by Redis’s clock', async () => {
    const a = await replica();
    expect((await a.take('slow', 2)).ok).toBe(true);
    expect((await a.take('slow', 2)).ok).toBe(true);
    expect(await a.take('slow', 2)).toEqual({ ok: false, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await a.take('slow', 2)).ok).toBe(true);
  });

  it('falls back to a limit per replica while Redis is unreachable, and shares again once it is back', async () => {
    const redis = await startPrivateRedis();
    try {
      const limiter = await replica(redis.url);
      expect((await limiter.take('hook', 2)).ok).toBe(true);
      await redis.kill();
      // The in-memory fallback has its own full bucket of 2.
      expect([(await limiter.take('hook', 2)).ok, (await limiter.take('hook', 2)).ok, (await limiter.take('hook', 2)).ok]).toEqual([true, true, false]);
      await redis.restart();
      const shared = async () => (await limiter.take('fresh', 1)).ok && !(await limiter.take('fresh', 1)).ok;
      // Reconnection takes a moment; until then the fallback answers (and would also pass this check).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await shared()).toBe(true);
      const check = await replica(redis.url);
      expect((await check.take('fresh', 1)).ok).toBe(false);
    } finally {
      await redis.kill();
    }
  });
});
