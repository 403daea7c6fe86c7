import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface StreamFollowerOptions {
  /** A connection of its own, since `XREAD BLOCK` holds it, opened with `enableOfflineQueue: false` and `maxRetriesPerRequest: 0`, so that a read fails at once when Redis goes away instead of waiting unseen for its return (and `stop` with it). */
  redis: Redis;
  key: string;
  /** Entries after this id are read (`streamTail` gives the newest one). */
  fromId: string;
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
 * Follows a Redis stream: reads its entries in order after `fromId` until stopped. A failed read is
 * retried after `RETRY_MS` from the last entry seen, so a dropped connection loses nothing the stream
 * still holds; an outage is logged when it starts and when it ends.
 *
 * @example
 * const follower = followStream({ redis, key: 'herald:events', fromId: await streamTail(redis, key), onEntry, logger, what: 'events' });
 * await follower.stop();
 */
export function followStream(options: StreamFollowerOptions): StreamFollower {
  const { redis, key, logger } = options;
  let lastId = options.fromId;
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
export async function streamTail(redis: Redis, key: string): Promise<string> {
  const newest = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return newest[0]?.[0] ?? '0-0';
}

/** An entry's fields (`[name, value, name, value…]`) as an object. */
export function entryFields(fields: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}
