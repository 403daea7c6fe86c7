import { HeraldError } from '@herald/core';
import type { Worker } from 'node:worker_threads';
import type { AppendCell } from './encode-append-rows.js';
import { CHECKPOINTER_WORKER_SOURCE } from './sqlite-checkpointer-source.js';
import { CHECKPOINTER_PRAGMAS, WRITER_PRAGMAS } from './sqlite-connection.js';
import { INDEX_PENDING_SQL, RESOURCE_INDEX_BATCH_EVENTS } from './sqlite-resource-tail.js';
import { WRITER_WORKER_SOURCE } from './sqlite-writer-source.js';
import { BETTER_SQLITE3_PATH, startSqliteWorker } from './start-sqlite-worker.js';

/** What the worker reports for one append: result codes (0 inserted, 1 duplicate, 2 conflict) and seqs. */
export interface WriterAppendOutcome {
  results: Uint8Array;
  seqs: Float64Array;
  lastSeq: number;
}

/**
 * What the writer worker (`sqlite-writer-source.ts`) is started with, defaults filled in. `wal` is the
 * checkpointer's report of the WAL's length (absent when no checkpointer runs).
 */
export function writerWorkerData(options: SqliteWriterOptions, wal?: { frames: SharedArrayBuffer; restartFrames: number }) {
  return {
    wal,
    driverPath: BETTER_SQLITE3_PATH,
    file: options.file,
    pragmas: WRITER_PRAGMAS,
    maxEventsPerTransaction: options.maxEventsPerTransaction ?? 20_000,
    analyzeAfterEvents: options.analyzeAfterEvents ?? 2000,
    resourceIndex: { batchEvents: options.resourceIndexBatchEvents ?? RESOURCE_INDEX_BATCH_EVENTS, sql: INDEX_PENDING_SQL },
  };
}

/** What the checkpointer (`sqlite-checkpointer-source.ts`) is started with. */
function checkpointerWorkerData(options: SqliteWriterOptions, walFrames: SharedArrayBuffer) {
  return {
    driverPath: BETTER_SQLITE3_PATH,
    file: options.file,
    pragmas: CHECKPOINTER_PRAGMAS,
    intervalMs: options.checkpointIntervalMs ?? 250,
    walFrames,
  };
}

/**
 * WAL frames (4 KB pages) past which the writer resets the WAL itself: 32 MB, about a quarter of a
 * second of the heaviest ingest measured. A short WAL stays within the blocks the file already has
 * (see `journal_size_limit` in `sqlite-connection.ts`); at 160 MB, commits took a third longer.
 */
const WAL_RESTART_FRAMES = 8_000;

export interface SqliteWriterOptions {
  /** The database file; it must already be migrated. */
  file: string;
  /** Appends queued together are merged into one transaction up to this many events. Default 20,000. */
  maxEventsPerTransaction?: number;
  /** Events before the first ANALYZE (then one at each doubling of the table). Default 2,000. */
  analyzeAfterEvents?: number;
  /** Events whose resource rows wait outside the resource index (`sqlite-resource-tail.ts`). Default 2,048. */
  resourceIndexBatchEvents?: number;
  /** Milliseconds between two checkpoints of the WAL (`sqlite-checkpointer-source.ts`). Default 250. */
  checkpointIntervalMs?: number;
  /** Called after the worker has refreshed the planner statistics (ANALYZE). */
  onAnalyzed?: () => void;
}

/** One statement of a writer transaction. */
export interface WriterStatement {
  sql: string;
  params: readonly (string | number | null)[];
}

type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; code?: string } }
  | { analyzed: true };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * The main-thread handle of the writer worker: every write to the database goes through it, on its own
 * thread and connection, so that SQLite's commits never block the event loop. Each request resolves
 * when the worker has committed it.
 *
 * A second worker checkpoints the WAL, so that no commit waits for a checkpoint
 * (`sqlite-checkpointer-source.ts`). If either worker dies, the pending and all later requests fail
 * with `STORAGE_UNAVAILABLE`.
 *
 * @example
 * const writer = await SqliteWriter.start({ file });
 * const { results, lastSeq } = await writer.append(encodeAppendRows(records), records.length);
 */
export class SqliteWriter {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private readonly exited: Promise<void>;
  private readonly checkpointerExited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly checkpointer: Worker,
    private readonly onAnalyzed: (() => void) | undefined,
  ) {
    worker.on('message', (reply: Reply) => this.settle(reply));
    this.checkpointerExited = new Promise((resolve) => {
      checkpointer.once('exit', (code) => {
        if (!this.closing) this.fail(new HeraldError('STORAGE_UNAVAILABLE', { message: `The SQLite checkpointer stopped (exit code ${code}).` }));
        resolve();
      });
    });
    checkpointer.on('error', (error) => this.fail(new HeraldError('STORAGE_UNAVAILABLE', { message: 'The SQLite checkpointer failed.', cause: error })));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.fail(new HeraldError('STORAGE_UNAVAILABLE', { message: `The SQLite writer stopped (exit code ${code}).` }));
        resolve();
      });
    });
    worker.on('error', (error) => this.fail(new HeraldError('STORAGE_UNAVAILABLE', { message: 'The SQLite writer failed.', cause: error })));
  }

  /** Starts the workers and resolves once both have opened the database. */
  static async start(options: SqliteWriterOptions): Promise<SqliteWriter> {
    const walFrames = new SharedArrayBuffer(4);
    const worker = await startSqliteWorker('SQLite writer', WRITER_WORKER_SOURCE, writerWorkerData(options, { frames: walFrames, restartFrames: WAL_RESTART_FRAMES }));
    try {
      const checkpointer = await startSqliteWorker('SQLite checkpointer', CHECKPOINTER_WORKER_SOURCE, checkpointerWorkerData(options, walFrames));
      return new SqliteWriter(worker, checkpointer, options.onAnalyzed);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
  }

  /** Appends encoded rows in one transaction (possibly shared with other queued appends). */
  append(rows: AppendCell[], count: number): Promise<WriterAppendOutcome> {
    return this.request({ op: 'append', rows, count }) as Promise<WriterAppendOutcome>;
  }

  /** Deletes events with occurred < cutoff, `batchSize` per transaction; resolves with the number removed. */
  purge(cutoff: number, batchSize: number): Promise<number> {
    return this.request({ op: 'purge', cutoff, batchSize }) as Promise<number>;
  }

  /** Runs one small write statement; resolves with the number of rows changed. */
  run(sql: string, params: readonly (string | number | null)[]): Promise<number> {
    return this.request({ op: 'run', sql, params }) as Promise<number>;
  }

  /**
   * Runs several statements in one transaction (all or nothing). Resolves with one entry per statement:
   * the rows it returned (as arrays, for `RETURNING` and other row-returning statements), or else the
   * number of rows it changed.
   */
  transaction(statements: readonly WriterStatement[]): Promise<(number | unknown[][])[]> {
    return this.request({ op: 'transaction', statements }) as Promise<(number | unknown[][])[]>;
  }

  /** Finishes every queued write, checkpoints the WAL into the database file, and stops the workers. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Stay referenced until the worker has exited: otherwise a process whose last work is this close
      // could end (exit code 13) while still awaiting the checkpoint.
      this.worker.ref();
      try {
        this.checkpointer.postMessage({ op: 'close' });
        await this.checkpointerExited;
        if (this.failure === null) await this.send({ op: 'close' });
      } finally {
        // The worker exits after a close, even a failed one (it closes its port either way).
        await this.exited;
      }
    })();
    return this.closing;
  }

  private request(message: Record<string, unknown>): Promise<unknown> {
    if (this.closing) return Promise.reject(new HeraldError('SHUTTING_DOWN'));
    return this.send(message);
  }

  private send(message: Record<string, unknown>): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Keep the process alive only while a write is in flight.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  private settle(reply: Reply): void {
    if ('analyzed' in reply) {
      this.onAnalyzed?.();
      return;
    }
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    if (reply.ok) pending.resolve(reply.value);
    else {
      const cause = Object.assign(new Error(reply.error.message), { code: reply.error.code });
      pending.reject(new HeraldError('STORAGE_UNAVAILABLE', { message: `SQLite write failed: ${reply.error.message}`, cause }));
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }
}
