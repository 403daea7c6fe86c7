import type { BusEvent } from './event-bus.js';

export interface SeqOrderOptions {
  /** The last seq already delivered: the store's last seq when the bus starts. */
  delivered: number;
  /** Receives events in ascending seq order, each once. */
  deliver(events: BusEvent[]): void;
  /** The store's log: committed events after `afterSeq`, ascending, at most `limit`. */
  readLog(afterSeq: number, limit: number): Promise<BusEvent[]>;
  /** How long an event may wait for a lower seq to arrive before the log is read instead. */
  gapWaitMs: number;
  onError(error: unknown): void;
}

export interface SeqOrder {
  /** The highest seq delivered so far. */
  readonly delivered: number;
  /** Events from any replica, in any order, possibly again: delivered in seq order, duplicates dropped. */
  offer(events: readonly BusEvent[]): void;
  /** The store's last seq, polled: if it is ahead, the missing events are read from the log soon. */
  noteCommitted(lastSeq: number): void;
  close(): void;
}

const LOG_PAGE = 1000;

/**
 * Turns events that arrive from several replicas, out of order and possibly twice, into one stream in
 * seq order with no gap and no duplicate, which is what the in-process bus gives its subscribers.
 *
 * It relies on the store's rule that seq order is commit order (PostgreSQL appends hold one advisory
 * lock until COMMIT): once an event is visible, every lower seq is visible or will never exist. So an
 * event that arrives ahead of a missing seq waits `gapWaitMs` for it; if it is still missing (its
 * replica died before publishing, a message was lost, or the seq was burnt by a rolled-back
 * transaction), the log is read from the last delivered seq and is the answer.
 *
 * @example
 * const order = createSeqOrder({ delivered: await store.lastSeq(), deliver, readLog: (s, n) => store.readLog(s, n), gapWaitMs: 100, onError });
 * order.offer(eventsFromRedis);
 */
export function createSeqOrder(options: SeqOrderOptions): SeqOrder {
  let delivered = options.delivered;
  /** Events ahead of a gap, by seq; every key is above `delivered`. */
  const held = new Map<number, BusEvent>();
  let timer: NodeJS.Timeout | null = null;
  let reading = false;
  let closed = false;

  function release(): void {
    const run: BusEvent[] = [];
    for (let next = held.get(delivered + 1); next !== undefined; next = held.get(delivered + 1)) {
      held.delete(next.seq);
      delivered = next.seq;
      run.push(next);
    }
    if (run.length > 0) options.deliver(run);
    if (held.size > 0) armGapTimer();
  }

  function armGapTimer(): void {
    if (timer || reading || closed) return;
    timer = setTimeout(() => {
      timer = null;
      void readGap();
    }, options.gapWaitMs);
    timer.unref();
  }

  /** Delivers what the log holds after `delivered`; the log is complete below any seq it shows. */
  async function readGap(): Promise<void> {
    reading = true;
    try {
      for (;;) {
        const rows = await options.readLog(delivered, LOG_PAGE);
        if (closed) return;
        // Redis may have delivered some of these while the read was under way.
        const fresh = rows.filter((row) => row.seq > delivered);
        const last = fresh.at(-1);
        if (last) {
          delivered = last.seq;
          for (const seq of held.keys()) if (seq <= delivered) held.delete(seq);
          options.deliver(fresh);
        }
        if (rows.length < LOG_PAGE) break;
      }
    } catch (error) {
      options.onError(error);
    } finally {
      reading = false;
    }
    release();
    // A failed read leaves the gap open: try again after the same wait.
    if (held.size > 0) armGapTimer();
  }

  return {
    get delivered() {
      return delivered;
    },
    offer(events) {
      if (closed) return;
      for (const event of events) if (event.seq > delivered && !held.has(event.seq)) held.set(event.seq, event);
      if (!reading) release();
    },
    noteCommitted(lastSeq) {
      if (lastSeq > delivered) armGapTimer();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      held.clear();
    },
  };
}
