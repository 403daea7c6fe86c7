import type { Logger } from 'pino';
import type { EventStore } from '../storage/ports.js';
import type { BusEvent, EventBus } from './event-bus.js';
import { connectRedis, disconnectAndThrow } from './redis-connection.js';
import { entryFields, followStream } from './redis-stream-follower.js';
import { createSeqOrder } from './seq-order.js';

export interface RedisEventBusOptions {
  url: string;
  /** Prefix of the stream's key (`<prefix>events`). */
  prefix: string;
  store: Pick<EventStore, 'readLog' | 'lastSeq'>;
  logger: Logger;
  /** How long an event waits for a lower seq before the log fills the gap. Default 100 ms. */
  gapWaitMs?: number;
  /** How often the store's last seq is checked, in case a replica's publication never arrives. Default 1,000 ms. */
  pollMs?: number;
  /**
   * How long entries stay in the stream: a replica that is cut off longer reads the log instead.
   * Default 10 s, which at PostgreSQL's ingest ceiling here (about 8,000 events/s) is about 50 MB of Redis memory.
   */
  keepMs?: number;
}

export interface RedisEventBus extends EventBus {
  deliveredSeq(): number;
  close(): Promise<void>;
}

/**
 * The bus of several replicas: each publishes its commits to one Redis stream (`XADD`), and every
 * replica reads the stream (`XREAD`, no consumer group: each needs every event) and hands the events
 * to its own subscribers, its own ones included, in seq order with no gap and no duplicate
 * (`seq-order.ts`). A replica's own events go to its subscribers at once, not through Redis.
 *
 * Redis only carries events: the store stays the log. An entry that never arrives (Redis down, a
 * replica dead between COMMIT and XADD, a replica cut off longer than `keepMs`) is read from the store
 * instead, so subscribers see every committed event, later but never lost. An entry is one commit:
 * `seqs` (comma-separated) and `events` (their canonical JSON, one per line; it has no raw newline).
 *
 * @example
 * const bus = await createRedisEventBus({ url: 'redis://127.0.0.1:6379', prefix: 'herald:', store, logger });
 * bus.subscribe((events) => console.log(events.length));
 */
export async function createRedisEventBus(options: RedisEventBusOptions): Promise<RedisEventBus> {
  const key = `${options.prefix}events`;
  const keepMs = options.keepMs ?? 10_000;
  const log = options.logger.child({ component: 'redis-bus' });
  const handlers = new Set<(events: BusEvent[]) => void>();
  // Publishing never waits for Redis: a command issued while it is unreachable fails at once.
  const writer = await connectRedis(options.url, log, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const delivered = await options.store.lastSeq().catch((error: unknown) => disconnectAndThrow(error, writer));

  const order = createSeqOrder({
    delivered,
    deliver(events) {
      for (const handler of handlers) handler(events);
    },
    readLog: (afterSeq, limit) => options.store.readLog(afterSeq, limit),
    gapWaitMs: options.gapWaitMs ?? 100,
    onError: (error) => log.warn({ err: error }, 'reading missed events from the store failed; retrying'),
  });
  // Followed from the stream's tail, read after the store's last seq: an entry added in between is not read, and the poll brings its events.
  const follower = await followStream({
    url: options.url,
    key,
    logger: log,
    what: 'the event stream',
    onEntry(id, fields) {
      const events = decodeEntry(fields);
      if (events) order.offer(events);
      else log.warn({ id }, 'skipped a malformed entry on the event stream');
    },
  }).catch((error: unknown) => disconnectAndThrow(error, writer));

  const poll = setInterval(() => {
    options.store.lastSeq().then(
      (lastSeq) => order.noteCommitted(lastSeq),
      (error: unknown) => log.debug({ err: error }, 'polling the last seq failed'),
    );
  }, options.pollMs ?? 1000);
  poll.unref();
  let closed = false;
  let warnedPublish = false;

  return {
    publish(events) {
      if (events.length === 0 || closed) return;
      order.offer(events);
      const minId = `${Date.now() - keepMs}-0`;
      const seqs = events.map((e) => e.seq).join(',');
      const body = events.map((e) => e.json).join('\n');
      writer.xadd(key, 'MINID', '~', minId, '*', 'seqs', seqs, 'events', body).then(
        () => (warnedPublish = false),
        (error: unknown) => {
          // The other replicas read these events from the store instead (poll and gap reads).
          if (!warnedPublish) log.warn({ err: error }, 'publishing to the Redis event stream failed; other replicas will read the store');
          warnedPublish = true;
        },
      );
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    deliveredSeq: () => order.delivered,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      order.close();
      await follower.stop();
      // No QUIT: with Redis down it would wait for a reconnection. An XADD cut short is read from the store.
      writer.disconnect();
    },
  };
}

/** An entry's events, or null when its fields do not pair up. */
export function decodeEntry(fields: readonly string[]): BusEvent[] | null {
  const { seqs, events: body } = entryFields(fields);
  if (seqs === undefined || body === undefined) return null;
  const numbers = seqs.split(',').map(Number);
  const jsons = body.split('\n');
  if (numbers.length !== jsons.length || numbers.some((n) => !Number.isSafeInteger(n))) return null;
  return numbers.map((seq, i) => ({ seq, json: jsons[i]! }));
}
