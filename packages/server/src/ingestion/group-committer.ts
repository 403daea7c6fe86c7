import type { AppendOutcome, EventRecord } from '../storage/ports.js';
import { JoinedStrings } from './joined-strings.js';

interface Pending {
  records: EventRecord[];
  resolve: (outcome: AppendOutcome) => void;
  reject: (error: unknown) => void;
}

/** A submission once its records are written: how many it had, and whom to tell. */
type Waiter = Omit<Pending, 'records'> & { count: number };

/** What a batch keeps of its records while it commits: ids and canonical JSON, in batch order. */
export interface CommittedBatch {
  ids: JoinedStrings;
  json: JoinedStrings;
}

export interface GroupCommitterOptions {
  /** Writes one batch in one transaction; resolves after commit. */
  write: (records: EventRecord[]) => Promise<AppendOutcome>;
  /**
   * Called once per committed batch, in the order batches were formed, before its submitters are
   * resolved. With a store that commits in FIFO order, that is log (seq) order.
   */
  onCommitted?: (batch: CommittedBatch, outcome: AppendOutcome) => void;
  /** Most events in one transaction. A single submission larger than this is still written whole. */
  maxEvents: number;
  /**
   * Batches written concurrently. More than one keeps a store that queues writes (SQLite's writer
   * thread) busy while the previous commit's reply travels back; only safe for stores that commit in
   * the order they receive batches.
   */
  maxInFlight?: number;
}

/**
 * Group commit: concurrent submissions share one transaction. While `maxInFlight` writes are under
 * way, new submissions queue; when one completes, everything queued (up to `maxEvents`) goes in the next
 * write. Low load gets one write per submission with no added delay; high load gets large batches.
 * Once a batch is handed to `write`, the committer keeps only its ids and JSON, each joined into one
 * string: under load thousands of events wait for their commit, and young-generation collections copy
 * every object that survives them (see `JoinedStrings`).
 *
 * @example
 * const committer = new GroupCommitter({ write: (r) => store.append(r), maxEvents: 5000 });
 * const outcome = await committer.submit(records);
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Settles batches strictly in the order they were formed. */
  private tail: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly options: GroupCommitterOptions) {}

  /** Resolves with this submission's slice of the outcome once its transaction has committed. */
  submit(records: EventRecord[]): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when every submission so far has been written. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0 || this.scheduled) await this.tail.then(() => new Promise((r) => setImmediate(r)));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Wait one microtask so that submissions from the same tick join the same batch.
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const maxInFlight = this.options.maxInFlight ?? 1;
    while (this.queue.length > 0 && this.inFlight < maxInFlight) {
      const batch = this.takeBatch();
      const records = batch.flatMap((p) => p.records);
      this.inFlight++;
      this.settleInOrder(
        this.options.write(records),
        {
          ids: JoinedStrings.of(records.map((r) => r.event.id)),
          json: JoinedStrings.of(records.map((r) => r.json)),
        },
        batch.map(({ resolve, reject, records: submitted }) => ({ resolve, reject, count: submitted.length })),
      );
    }
  }

  /** Settles one batch's submitters after every earlier batch; `records` stays out of this scope. */
  private settleInOrder(written: Promise<AppendOutcome>, committed: CommittedBatch, waiters: Waiter[]): void {
    // Handled below, in order; this only keeps an early failure from being reported as unhandled.
    written.catch(() => undefined);
    this.tail = this.tail.then(async () => {
      try {
        const outcome = await written;
        this.options.onCommitted?.(committed, outcome);
        let offset = 0;
        for (const waiter of waiters) {
          const end = offset + waiter.count;
          waiter.resolve({ results: outcome.results.slice(offset, end), seqs: outcome.seqs.slice(offset, end), lastSeq: outcome.lastSeq });
          offset = end;
        }
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      } finally {
        this.inFlight--;
        this.pump();
      }
    });
  }

  private takeBatch(): Pending[] {
    let count = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || count + this.queue[n]!.records.length <= this.options.maxEvents)) {
      count += this.queue[n]!.records.length;
      n++;
    }
    return this.queue.splice(0, n);
  }
}
