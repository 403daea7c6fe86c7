/** One queued event: sent (in flight) or waiting, until the server acknowledges or rejects it. */
export interface QueueEntry<T> {
  /** Position in the queue; entries are sent, and re-sent, in this order. */
  readonly seq: number;
  /** The normalised event id. Acknowledgements and rejections are matched on it. */
  readonly key: string;
  readonly value: T;
  inFlight: boolean;
}

interface FlushWaiter {
  mark: number;
  resolve: () => void;
}

/**
 * The bounded queue of unacknowledged events behind `emitEvent`. Pure bookkeeping, no I/O:
 * - `add` refuses when `capacity` entries are pending, so memory stays bounded during an outage;
 * - `takeNext` hands out waiting entries in order and marks them in flight (pipelining);
 * - `settle` removes the oldest in-flight entry with a key (an ack or a rejection);
 * - `requeue` makes every pending entry waiting again after a reconnect, in the original order;
 * - `whenSettled` resolves once every entry present at the call has left the queue (flush).
 *
 * @example
 * const q = new EventQueue<string>(2);
 * q.add('a', '{…}');
 * q.takeNext(); // entry 'a', now in flight
 * q.settle('a'); // removed
 */
export class EventQueue<T> {
  readonly capacity: number;
  readonly #entries = new Map<number, QueueEntry<T>>();
  readonly #inFlight = new Map<string, QueueEntry<T>[]>();
  #inFlightCount = 0;
  #waiting: QueueEntry<T>[] = [];
  #waitingHead = 0;
  #nextSeq = 1;
  #flushWaiters: FlushWaiter[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
  }

  /** Entries not yet settled, sent or not. */
  get size(): number {
    return this.#entries.size;
  }

  /** Entries sent on the current connection and not yet settled. */
  get inFlight(): number {
    return this.#inFlightCount;
  }

  /** Entries waiting to be sent. */
  get waiting(): number {
    return this.#waiting.length - this.#waitingHead;
  }

  /** Appends an entry, or returns `null` when the queue is full. */
  add(key: string, value: T): QueueEntry<T> | null {
    if (this.#entries.size >= this.capacity) return null;
    const entry: QueueEntry<T> = { seq: this.#nextSeq++, key, value, inFlight: false };
    this.#entries.set(entry.seq, entry);
    this.#waiting.push(entry);
    return entry;
  }

  /** The next waiting entry, now marked in flight; `undefined` when none waits. */
  takeNext(): QueueEntry<T> | undefined {
    const entry = this.#waiting[this.#waitingHead];
    if (!entry) return undefined;
    this.#waitingHead++;
    if (this.#waitingHead > 1024 && this.#waitingHead * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#waitingHead);
      this.#waitingHead = 0;
    }
    entry.inFlight = true;
    const sameKey = this.#inFlight.get(entry.key);
    if (sameKey) sameKey.push(entry);
    else this.#inFlight.set(entry.key, [entry]);
    this.#inFlightCount++;
    return entry;
  }

  /** Removes and returns the oldest in-flight entry with this key, or `undefined` if none is in flight. */
  settle(key: string): QueueEntry<T> | undefined {
    const sameKey = this.#inFlight.get(key);
    const entry = sameKey?.shift();
    if (!entry) return undefined;
    if (sameKey!.length === 0) this.#inFlight.delete(key);
    this.#inFlightCount--;
    this.#entries.delete(entry.seq);
    this.#resolveFlushWaiters();
    return entry;
  }

  /** After a reconnect: nothing is in flight any more, and every pending entry waits again, in order. */
  requeue(): void {
    this.#inFlight.clear();
    this.#inFlightCount = 0;
    this.#waiting = [...this.#entries.values()];
    this.#waitingHead = 0;
    for (const entry of this.#waiting) entry.inFlight = false;
  }

  /** Removes every entry (to reject them all) and returns them in order. */
  removeAll(): QueueEntry<T>[] {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    this.#inFlight.clear();
    this.#inFlightCount = 0;
    this.#waiting = [];
    this.#waitingHead = 0;
    this.#resolveFlushWaiters();
    return all;
  }

  /** Resolves when every entry in the queue now has been settled or removed. */
  whenSettled(): Promise<void> {
    const mark = this.#nextSeq - 1;
    if (this.#oldestSeq() > mark) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push({ mark, resolve }));
  }

  #oldestSeq(): number {
    const first = this.#entries.keys().next();
    return first.done ? Infinity : first.value;
  }

  #resolveFlushWaiters(): void {
    if (this.#flushWaiters.length === 0) return;
    const oldest = this.#oldestSeq();
    const still: FlushWaiter[] = [];
    for (const waiter of this.#flushWaiters) {
      if (waiter.mark < oldest) waiter.resolve();
      else still.push(waiter);
    }
    this.#flushWaiters = still;
  }
}
