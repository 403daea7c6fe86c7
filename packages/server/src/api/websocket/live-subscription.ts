import { parseDateTime, type NormalizedEventFilter, type ReceivedEvent } from '@herald/core';
import { compileEventMatcher } from '../../domain/event-matcher.js';
import type { BusEvent, EventBus } from '../../messaging/event-bus.js';
import type { EventCursor, EventStore } from '../../storage/ports.js';
import type { SubscriberQueue } from './subscriber-queue.js';

/** A bus event parsed once for every subscriber: the event and its `occurred` in µs. */
export interface DecodedEvent {
  event: ReceivedEvent;
  occurred: number;
}

/**
 * Parses a publication's events at most once, however many subscribers look at them: both buses hand
 * the same array to every handler, in turn and synchronously, so the decoder keeps the parsed events of
 * the array it saw last, until the publication's handlers have run. Not a WeakMap keyed by the events:
 * an entry outlives its dead key until a full collection, so under load every parsed event would
 * survive the young-generation collections.
 */
export function createBusEventDecoder(): (events: readonly BusEvent[]) => readonly (DecodedEvent | null)[] {
  let last: readonly BusEvent[] | null = null;
  let decoded: (DecodedEvent | null)[] = [];
  const forget = (): void => {
    last = null;
    decoded = [];
  };
  return (events) => {
    if (events !== last) {
      if (last === null) queueMicrotask(forget);
      last = events;
      decoded = events.map((busEvent) => decode(busEvent.json));
    }
    return decoded;
  };
}

// Runs inside the publisher's call: it must never throw.
function decode(json: string): DecodedEvent | null {
  try {
    const event = JSON.parse(json) as ReceivedEvent;
    const occurred = parseDateTime(event.occurred);
    return occurred === null ? null : { event, occurred };
  } catch {
    return null;
  }
}

/** The highest `seq` published on the bus so far: what a new subscriber can no longer receive live. */
export interface PublishedSeqTracker {
  readonly lastSeq: number;
  stop(): void;
}

/** Follows the bus from `initialSeq` (the store's last seq when the routes start). */
export function trackPublishedSeq(bus: EventBus, initialSeq: number): PublishedSeqTracker {
  let lastSeq = initialSeq;
  const stop = bus.subscribe((events) => {
    for (const e of events) if (e.seq > lastSeq) lastSeq = e.seq;
  });
  return {
    get lastSeq() {
      return lastSeq;
    },
    stop,
  };
}

/** The `/events/out` message that carries one event; the canonical JSON is spliced in as stored. */
function eventMessage(json: string): string {
  return '{"type":"event","event":' + json + '}';
}

export interface LiveSubscriptionOptions {
  store: EventStore;
  bus: EventBus;
  decode: (events: readonly BusEvent[]) => readonly (DecodedEvent | null)[];
  published: PublishedSeqTracker;
  /** The client's filter; live events are matched against it. */
  liveFilter: NormalizedEventFilter;
  /**
   * The backfill's filter (window clamped, ascending) and page size, or null for no backfill. With
   * `newest`, only that many of the newest matching events are sent, still in ascending order.
   */
  backfill: { filter: NormalizedEventFilter; pageSize: number; newest: number | null } | null;
  queue: SubscriberQueue;
}

export interface LiveSubscription {
  /** Settles when the backfill has been sent and live delivery has begun; rejects if the store fails. */
  started: Promise<void>;
  stop: () => void;
}

/**
 * Subscribes to the bus first, then backfills from the store, then delivers live events, with no gap and
 * no duplicate. The exact rule, with the bus publishing in `seq` order after commit:
 * - B = the last seq published before subscribing; nothing ≤ B can arrive live.
 * - S = the store's last seq, read after subscribing; everything > S is committed later, so it arrives
 *   live, and the backfill skips it.
 * - Backfilled events in (B, S] may also arrive live: their seqs are remembered and their live copy is
 *   skipped. That set is at most the few events committed around the moment of subscribing.
 *
 * @example
 * const sub = startLiveSubscription({ store, bus, decode, published, liveFilter, backfill, queue });
 * socket.once('close', sub.stop);
 */
export function startLiveSubscription(options: LiveSubscriptionOptions): LiveSubscription {
  const { queue, decode } = options;
  const matches = compileEventMatcher(options.liveFilter);
  const published = options.published.lastSeq;
  let snapshot = Infinity;
  const backfilled = new Set<number>();
  let live = false;
  let stopped = false;

  const unsubscribe = options.bus.subscribe((events) => {
    const decodedEvents = decode(events);
    for (let i = 0; i < events.length; i++) {
      const busEvent = events[i]!;
      if (backfilled.size > 0) {
        if (backfilled.delete(busEvent.seq)) continue;
        // Once live, nothing the backfill sent can come again past S. (While the backfill runs, the
        // set must still filter the held queue at release.)
        if (live && busEvent.seq > snapshot) backfilled.clear();
      }
      const decoded = decodedEvents[i];
      if (decoded && matches(decoded.event, decoded.occurred)) queue.push({ seq: busEvent.seq, message: eventMessage(busEvent.json) });
    }
  });

  async function send(row: { seq: number; json: string }): Promise<void> {
    if (row.seq > published) backfilled.add(row.seq);
    await queue.sendNow(eventMessage(row.json));
  }

  /** The newest `count` events up to S, read newest first and sent oldest first. */
  async function backfillNewest(filter: NormalizedEventFilter, count: number): Promise<void> {
    snapshot = await options.store.lastSeq();
    const page = await options.store.page({ filter: { ...filter, order: 'DESC' }, limit: count });
    const rows = page.filter((row) => row.seq <= snapshot).reverse();
    for (const row of rows) {
      if (stopped) return;
      await send(row);
    }
  }

  async function backfill(filter: NormalizedEventFilter, pageSize: number): Promise<void> {
    snapshot = await options.store.lastSeq();
    let after: EventCursor | undefined;
    while (!stopped) {
      const page = await options.store.page({ filter, limit: pageSize, ...(after ? { after } : {}) });
      for (const row of page) {
        if (stopped) return;
        if (row.seq > snapshot) continue;
        await send(row);
      }
      const last = page.at(-1);
      if (!last || page.length < pageSize) return;
      after = { occurred: last.occurred, seq: last.seq };
    }
  }

  const stop = (): void => {
    stopped = true;
    unsubscribe();
  };
  const started = (async () => {
    try {
      const plan = options.backfill;
      if (plan?.newest != null) await backfillNewest(plan.filter, plan.newest);
      else if (plan) await backfill(plan.filter, plan.pageSize);
    } catch (error) {
      stop();
      throw error;
    }
    queue.release((seq) => backfilled.delete(seq));
    live = true;
  })();
  return { started, stop };
}
