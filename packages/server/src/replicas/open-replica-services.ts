import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/config.js';
import { createInMemoryEventBus, type EventBus } from '../messaging/event-bus.js';
import { createRedisEventBus } from '../messaging/redis-event-bus.js';
import type { EventStore } from '../storage/ports.js';
import { createRateLimiter, type RateLimiter } from '../webhooks/rate-limiter.js';
import { createSharedRateLimiter } from '../webhooks/redis-rate-limiter.js';

/** What one process keeps to itself and replicas share through Redis (`docs/scale-out.md`). */
export interface ReplicaServices {
  bus: EventBus;
  /** Webhook rate limits. */
  rateLimiter: RateLimiter;
  /** Closes the Redis connections; call after ingest has closed, since its last commits still publish. */
  close: () => Promise<void>;
}

/**
 * Alone: the in-process bus and in-memory rate limits. With `HERALD_REDIS_URL`: the Redis event bus
 * and rate limits shared in Redis.
 *
 * @example
 * const replicas = await openReplicaServices(config.replicas, storage.events, logger);
 * const ingest = createIngestPipeline({ ..., bus: replicas.bus });
 */
export async function openReplicaServices(config: HeraldConfig['replicas'], store: EventStore, logger: Logger): Promise<ReplicaServices> {
  const local = createRateLimiter(() => Date.now());
  const { redisUrl: url, redisPrefix: prefix } = config;
  if (!url) return { bus: createInMemoryEventBus(), rateLimiter: local, close: async () => undefined };
  const bus = await createRedisEventBus({ url, prefix, store, logger });
  try {
    const rateLimiter = await createSharedRateLimiter({ url, prefix, fallback: local, logger });
    return {
      bus,
      rateLimiter,
      close: async () => {
        await rateLimiter.close();
        await bus.close();
      },
    };
  } catch (error) {
    await bus.close();
    throw error;
  }
}
