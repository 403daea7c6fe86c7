import { HeraldError, parseEventFilter, type NormalizedEventFilter } from '@herald/core';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { BusEvent, EventBus } from '../../messaging/event-bus.js';
import type { HeraldMetrics } from '../../observability/metrics.js';
import type { EventStore } from '../../storage/ports.js';
import type { Frame, FrameReader } from './frame-reader.js';
import { startLiveSubscription, type DecodedEvent, type PublishedSeqTracker } from './live-subscription.js';
import { parseObject } from './prefect-handshake.js';
import { CLOSE_CODES, closeSocket } from './socket-close.js';
import { SubscriberQueue } from './subscriber-queue.js';

export const EXPECTED_FILTER_REASON = "Expected 'filter' message";

/** The most events `backfill_limit` may ask for: a larger backlog is what the unlimited backfill is for. */
export const MAX_BACKFILL_LIMIT = 10_000;

export interface EventsOutOptions {
  store: EventStore;
  bus: EventBus;
  decode: (events: readonly BusEvent[]) => readonly (DecodedEvent | null)[];
  published: PublishedSeqTracker;
  metrics: HeraldMetrics;
  logger: Logger;
  /** Current time in µs. */
  now: () => number;
  maxBackfillMicros: number;
  backfillPageSize: number;
  subscriberBacklog: number;
  /** The client opted in with `?notices=true`: a slow subscriber gets `dropped` messages instead of a 1013 close. */
  notices: boolean;
}

/** A valid filter message, or the close reason for an invalid one. */
type FilterRequest =
  | { ok: true; filter: NormalizedEventFilter; backfill: boolean; backfillLimit: number | null }
  | { ok: false; reason: string };

/**
 * Reads `{"type":"filter","filter":{…},"backfill":true}`. A missing `until` means no upper bound
 * (DECISIONS 4); `backfill` defaults to true and follows Python truthiness for `null`, `0` and `""`.
 * Herald also reads `backfill_limit`, a whole number from 0 to {@link MAX_BACKFILL_LIMIT}: only that
 * many of the newest events of the backfill window are sent (still oldest first), as `tail -f` starts
 * with the last lines. Prefect's clients never send it.
 *
 * @example
 * parseFilterMessage(frame, now) // { ok: true, filter, backfill: true, backfillLimit: null }
 */
function parseFilterMessage(frame: Frame, now: number): FilterRequest {
  const message = frame.isBinary ? undefined : parseObject(frame.data.toString('utf8'));
  if (message?.type !== 'filter') return { ok: false, reason: EXPECTED_FILTER_REASON };
  const parsed = parseEventFilter(message.filter, { now, missingUntil: 'unbounded', basePath: ['filter'] });
  if (!parsed.ok) return { ok: false, reason: 'Invalid filter: ' + parsed.issues.map((i) => `${i.pointer}: ${i.message}`).join('; ') };
  const backfill = message.backfill === undefined ? true : Boolean(message.backfill);
  const limit = message.backfill_limit ?? null;
  if (limit !== null && !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 0 && limit <= MAX_BACKFILL_LIMIT)) {
    return { ok: false, reason: `Invalid backfill_limit: expected a whole number from 0 to ${MAX_BACKFILL_LIMIT}` };
  }
  return { ok: true, filter: parsed.filter, backfill, backfillLimit: limit };
}

/**
 * Serves `/api/events/out` after the handshake: reads the filter message, then backfills up to
 * `maxBackfillMicros` into the past in ascending order (only the newest `backfill_limit` of them when
 * the client asks) and streams live events, through the subscriber's bounded queue. Messages sent
 * after the filter are read and ignored.
 *
 * @example
 * await handleEventsOut(socket, reader, { store, bus, decode, published, metrics, logger, now, …options, notices: false });
 */
export async function handleEventsOut(socket: WebSocket, reader: FrameReader, options: EventsOutOptions): Promise<void> {
  const frame = await reader.next();
  if (!frame) return;
  const now = options.now();
  const request = parseFilterMessage(frame, now);
  if (!request.ok) return closeSocket(socket, CLOSE_CODES.protocolError, request.reason);
  reader.pipe(() => {});
  if (socket.readyState !== socket.OPEN) return;

  const { filter } = request;
  const queue = new SubscriberQueue(socket, {
    capacity: options.subscriberBacklog,
    overflow: options.notices ? 'notify' : 'close',
    onDrop: (count) => options.metrics.subscriberDrops.inc(count),
  });
  const subscription = startLiveSubscription({
    store: options.store,
    bus: options.bus,
    decode: options.decode,
    published: options.published,
    liveFilter: filter,
    backfill:
      request.backfill && request.backfillLimit !== 0
        ? {
            filter: { ...filter, since: Math.max(filter.since, now - options.maxBackfillMicros), order: 'ASC' },
            pageSize: options.backfillPageSize,
            newest: request.backfillLimit,
          }
        : null,
    queue,
  });
  socket.once('close', subscription.stop);
  try {
    await subscription.started;
  } catch (error) {
    if (error instanceof HeraldError && error.code === 'QUERY_TIMEOUT') {
      options.logger.warn({ limitMs: (error.details as { limit_ms: number }).limit_ms }, 'websocket backfill ran past the query time limit');
      return closeSocket(socket, CLOSE_CODES.internalError, 'The backfill ran past the query time limit; narrow the filter');
    }
    options.logger.error({ err: error }, 'websocket backfill failed; closing the subscription');
    closeSocket(socket, CLOSE_CODES.internalError, 'Backfill failed');
  }
}
