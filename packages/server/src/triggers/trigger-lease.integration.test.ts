import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, TEST_REDIS_URL } from '../test-support/private-redis.js';
import { startTriggerLease, type TriggerLease } from './trigger-lease.js';

// The real Redis of this machine, one key per test.
const logger = pino({ level: 'silent' });
const redis = new Redis(TEST_REDIS_URL);
const keys: string[] = [];

afterAll(async () => {
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** A runtime that records its starts and stops. */
function recorder(name: string, log: string[]) {
  return async () => {
    log.push(`${name} started`);
    return { name, close: async () => void log.push(`${name} stopped`) };
  };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function newKey(): string {
  const key = `herald-test-${randomBytes(4).toString('hex')}:trigger-lease`;
  keys.push(key);
  return key;
}

describe('the trigger lease', () => {
  it('lets one holder run at a time, and hands over when the holder closes', async () => {
    const key = newKey();
    const log: string[] = [];
    const first = await startTriggerLease({ url: TEST_REDIS_URL, key, ttlMs: 300, logger, start: recorder('first', log) });
    const second = await startTriggerLease({ url: TEST_REDIS_URL, key, ttlMs: 300, logger, start: recorder('second', log) });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect([first.current?.name, second.current]).toEqual(['first', null]);
    await first.close();
    await until(() => second.current !== null);
    expect(log).toEqual(['first started', 'first stopped', 'second started']);
    await second.close();
    expect(await redis.get(key)).toBeNull();
  });

  it('keeps renewing while a slow start (a long catch-up) outlasts the lease', async () => {
    const key = newKey();
    const log: string[] = [];
    const slowStart = async () => {
      await new Promise((resolve) => setTimeout(resolve, 900));
      return recorder('slow', log)();
    };
    const slow = await startTriggerLease({ url: TEST_REDIS_URL, key, ttlMs: 300, logger, start: slowStart });
    const other = await startTriggerLease({ url: TEST_REDIS_URL, key, ttlMs: 300, logger, start: recorder('other', log) });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([slow.current?.name, other.current]).toEqual(['slow', null]);
    expect(log).toEqual(['slow started']);
    await other.close();
    await slow.close();
  });

  it('takes over after the lease runs out when its holder vanishes without handing it back', async () => {
    const key = newKey();
    await redis.set(key, 'a crashed replica', 'PX', 300);
    const log: string[] = [];
    const lease = await startTriggerLease({ url: TEST_REDIS_URL, key, ttlMs: 300, logger, start: recorder('survivor', log) });
    expect(lease.current).toBeNull();
    await until(() => lease.current !== null);
    expect(log).toEqual(['survivor started']);
    await lease.close();
  });

  it('stops running as soon as it finds that another replica holds the lease', async () => {
    const key = newKey();
    const log: string[] = [];
    const lease: TriggerLease<{ name: string; close(): Promise<void> }> = await startTriggerLease({
      url: TEST_REDIS_URL,
      key,
      ttlMs: 300,
      logger,
      start: recorder('holder', log),
    });
    expect(lease.current?.name).toBe('holder');
    await redis.set(key, 'someone else', 'PX', 5000);
    await until(() => lease.current === null);
    expect(log).toEqual(['holder started', 'holder stopped']);
    await lease.close();
    // Not its lease any more: closing leaves the other holder's key alone.
    expect(await redis.get(key)).toBe('someone else');
  });

  it('stops evaluating while Redis is unreachable, before its lease could have run out, and takes it again after', async () => {
    const redis = await startPrivateRedis();
    const log: string[] = [];
    const lease = await startTriggerLease({ url: redis.url, key: newKey(), ttlMs: 1500, logger, start: recorder('holder', log) });
    try {
      expect(lease.current?.name).toBe('holder');
      const killedAt = Date.now();
      await redis.kill();
      await until(() => lease.current === null);
      // The last renewal was before the kill, so the lease ran out less than 1,500 ms after it: evaluation
      // stops a quarter of a second before that at the latest.
      expect(Date.now() - killedAt).toBeLessThan(1500);
      await redis.restart();
      await until(() => lease.current !== null);
      expect(log).toEqual(['holder started', 'holder stopped', 'holder started']);
    } finally {
      await lease.close();
      await redis.kill();
    }
  });
});
