import { randomBytes } from 'node:crypto';
import { DEFAULT_EVENT_LIMITS, newEventId } from '@herald/core';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestPipeline, type IngestPipeline } from '../ingestion/ingest-pipeline.js';
import { createMetrics } from '../observability/metrics.js';
import type { Storage } from '../storage/ports.js';
import { openPostgresStorage } from '../storage/postgres/index.js';
import { deleteRedisKeys, freePort, startPrivateRedis, TEST_REDIS_URL } from '../test-support/private-redis.js';
import { createTempPostgresDatabase, type TempPostgres } from '../test-support/temp-resources.js';
import { createInMemoryEventBus, type BusEvent, type EventBus } from './event-bus.js';
import { createRedisEventBus, decodeEntry, type RedisEventBus } from './redis-event-bus.js';

// Two buses in one process stand for two replicas: the real PostgreSQL store and the real Redis.
const logger = pino({ level: 'silent' });

let db: TempPostgres;
let storage: Storage;
let prefix: string;
const buses: RedisEventBus[] = [];

beforeAll(async () => {
  db = await createTempPostgresDatabase('herald_redis_bus');
  storage = await openPostgresStorage({ url: db.url });
  prefix = `herald-test-${randomBytes(4).toString('hex')}:`;
});

afterAll(async () => {
  for (const bus of buses) await bus.close();
  await storage?.close();
  await db?.drop();
  await deleteRedisKeys(prefix);
});

async function bus(options: { pollMs?: number; gapWaitMs?: number; url?: string } = {}): Promise<RedisEventBus> {
  const created = await createRedisEventBus({ url: TEST_REDIS_URL, prefix, store: storage.events, logger, ...options });
  buses.push(created);
  return created;
}

function ingestThrough(target: EventBus): IngestPipeline {
  const metrics = createMetrics(() => storage.events.sizeBytes());
  return createIngestPipeline({ store: storage.events, bus: target, limits: DEFAULT_EVENT_LIMITS, commitMaxEvents: 5000, metrics, logger });
}

function batch(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: newEventId(),
    occurred: new Date().toISOString(),
    event: 'test.bus.event',
    resource: { 'prefect.resource.id': `test.bus.${i}` },
  }));
}

function collect(target: EventBus): BusEvent[] {
  const seen: BusEvent[] = [];
  target.subscribe((events) => seen.push(...events));
  return seen;
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the Redis event bus', () => {
  it('carries one replica’s commits to another’s subscribers, in seq order, each once', async () => {
    // Polling off: these can only arrive through the stream.
    const [first, second] = [await bus({ pollMs: 3_600_000 }), await bus({ pollMs: 3_600_000 })];
    const [onFirst, onSecond] = [collect(first), collect(second)];
    const ingest = ingestThrough(first);
    for (let i = 0; i < 10; i++) await ingest.ingestBatch(batch(25));
    await until(() => onSecond.length >= 250);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(onSecond.map((e) => e.seq)).toEqual(onFirst.map((e) => e.seq));
    expect(onSecond).toHaveLength(250);
    const seqs = onSecond.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(JSON.parse(onSecond[0]!.json)).toMatchObject({ event: 'test.bus.event' });
    // What a new live subscriber on this replica can no longer receive live.
    expect(second.deliveredSeq()).toBe(seqs.at(-1));
    await ingest.close();
  });

  it('reads from the store what was committed but never published, as when a replica dies before XADD', async () => {
    const listener = await bus({ pollMs: 100 });
    const seen = collect(listener);
    // This pipeline's bus reaches no one: its commits are in PostgreSQL only.
    const silent = ingestThrough(createInMemoryEventBus());
    const events = batch(30);
    await silent.ingestBatch(events);
    await until(() => seen.length >= 30);
    expect(seen.map((e) => (JSON.parse(e.json) as { id: string }).id)).toEqual(events.map((e) => e.id));
    await silent.close();
  });

  it('fails to start with STORAGE_UNAVAILABLE naming the Redis it cannot reach', async () => {
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}`;
    const error = await createRedisEventBus({ url, prefix, store: storage.events, logger }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringMatching(/^Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: /) });
  });

  it('loses nothing while Redis is down, and carries events on the stream again once it is back', async () => {
    const redis = await startPrivateRedis();
    try {
      const [first, second] = [await bus({ url: redis.url, pollMs: 200 }), await bus({ url: redis.url, pollMs: 200 })];
      const seen = collect(second);
      const ingest = ingestThrough(first);
      await redis.kill();
      const during = batch(20);
      await ingest.ingestBatch(during);
      await until(() => seen.length >= 20);
      await redis.restart();
      // The publisher reconnects by itself; until it has, events still reach `second` through the store.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = batch(20);
      await ingest.ingestBatch(after);
      await until(() => seen.length >= 40);
      expect(seen.map((e) => (JSON.parse(e.json) as { id: string }).id)).toEqual([...during, ...after].map((e) => e.id));
      const check = new Redis(redis.url);
      expect(await check.xlen(`${prefix}events`)).toBeGreaterThan(0);
      await check.quit();
      await ingest.close();
    } finally {
      await redis.kill();
    }
  });

  it('refuses a malformed stream entry instead of delivering garbage', () => {
    expect(decodeEntry(['seqs', '1,2', 'events', '{"a":1}\n{"a":2}'])).toEqual([
      { seq: 1, json: '{"a":1}' },
      { seq: 2, json: '{"a":2}' },
    ]);
    expect(decodeEntry(['seqs', '1,2', 'events', '{"a":1}'])).toBeNull();
    expect(decodeEntry(['seqs', '1,x', 'events', 'a\nb'])).toBeNull();
    expect(decodeEntry(['events', '{}'])).toBeNull();
  });
});
