import type { AppendOutcome, EventRecord } from '../storage/ports.js';

interface Pending {
  records: EventRecord[];
  resolve: (outcome: AppendOutcome) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitterOptions {
  /** Writes one batch in one transaction; resolves after commit. */
  write: (records: EventRecord[]) => Promise<AppendOutcome>;
  /** Most events in one transaction. A single submission larger than this is still written whole. */
  maxEvents: number;
}

/**
 * Group commit: concurrent submissions share one transaction. While a write is in flight, new
 * submissions queue; when it completes, everything queued (up to `maxEvents`) goes in the next write.
 * Low load gets one write per submission with no added delay; high load gets large batches.
 *
 * @example
 * const committer = new GroupCommitter({ write: (r) => store.append(r), maxEvents: 5000 });
 * const outcome = await committer.submit(records);
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly options: GroupCommitterOptions) {}

  /** Resolves with this submission's slice of the outcome once its transaction has committed. */
  submit(records: EventRecord[]): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Resolves when every submission so far has been written. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    // Yield once so that submissions from the same tick join the first batch.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const records = batch.flatMap((p) => p.records);
      try {
        const outcome = await this.options.write(records);
        let offset = 0;
        for (const p of batch) {
          const end = offset + p.records.length;
          p.resolve({ results: outcome.results.slice(offset, end), seqs: outcome.seqs.slice(offset, end), lastSeq: outcome.lastSeq });
          offset = end;
        }
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.writing = null;
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
