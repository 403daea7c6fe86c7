import { HeraldError } from '@herald/core';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { redactUrl } from '../config/config.js';

/**
 * Opens one connection to Redis. At start, an unreachable Redis fails with `STORAGE_UNAVAILABLE`
 * naming the URL (password hidden); later, ioredis reconnects by itself and errors are logged at
 * debug level, since each user of the connection reports its own failed commands.
 *
 * @example
 * const redis = await connectRedis('redis://127.0.0.1:6379', logger, { enableOfflineQueue: false });
 */
export async function connectRedis(url: string, logger: Logger, options: RedisOptions = {}): Promise<Redis> {
  const redis = new Redis(url, { ...options, lazyConnect: true });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new HeraldError('STORAGE_UNAVAILABLE', { message: `Cannot reach Redis at ${redactUrl(url)}: ${reason}`, cause: error });
  }
}

/** Closes connections opened so far when a later step of a start fails, and rethrows its error. */
export function disconnectAndThrow(error: unknown, ...connections: Redis[]): never {
  for (const connection of connections) connection.disconnect();
  throw error;
}
