import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { connectRedis, disconnectAndThrow } from './redis-connection.js';

export interface StreamFollowerOptions {
  url: string;
  key: string;
  onEntry(id: string, fields: string[]): void;
  logger: Logger;
  /** What the stream carries, for the log line of a failed read. */
  what: string;
}

export interface StreamFollower {
  /** Stops reading and closes the connection; resolves once the last read has returned. */
  stop(): Promise<void>;
}

/** Longest a blocking read waits, so that stopping never waits longer. */
const READ_BLOCK_MS = 1000;
const READ_COUNT = 500;
const RETRY_MS = 500;

/**
 * Follows a Redis stream on a connection of its own (`XREAD BLOCK` holds it): reads its entries in
 * order, from after the newest one when it starts, until stopped. A failed read is retried after
 * `RETRY_MS` from the last entry seen, so a dropped connection loses nothing the stream still holds;
 * an outage is logged when it starts and when it ends.
 *
 * @example
 * const follower = await followStream({ url, key: 'herald:events', onEntry, logger, what: 'the event stream' });
 * await follower.stop();
 */
export async function followStream(options: StreamFollowerOptions): Promise<StreamFollower> {
  const { key, logger } = options;
  // No offline queue and no retries: a read fails at once when Redis goes away, instead of waiting
  // unseen for its return (and `stop` with it).
  const redis = await connectRedis(options.url, logger, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  let lastId = await streamTail(redis, key).catch((error: unknown) => disconnectAndThrow(error, redis));
  let stopped = false;
  let failing = false;
  const reading = (async () => {
    while (!stopped) {
      try {
        const reply = await redis.xread('COUNT', READ_COUNT, 'BLOCK', READ_BLOCK_MS, 'STREAMS', key, lastId);
        if (failing) logger.info(`reading ${options.what} from Redis again`);
        failing = false;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            options.onEntry(id, fields);
          }
        }
      } catch (error) {
        if (stopped) return;
        // Once per outage: a read is retried every RETRY_MS until Redis answers.
        if (!failing) logger.warn({ err: error }, `reading ${options.what} from Redis failed; retrying`);
        failing = true;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      redis.disconnect();
      await reading;
    },
  };
}

/** The id of the stream's newest entry, or `0-0` for an empty stream: following starts after it. */
async function streamTail(redis: Redis, key: string): Promise<string> {
  const newest = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return newest[0]?.[0] ?? '0-0';
}

/** An entry's fields (`[name, value, name, value…]`) as an object. */
export function entryFields(fields: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}
