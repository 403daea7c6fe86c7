import { isUuid, type NormalizedEventFilter } from '@herald/core';
import { statSync } from 'node:fs';
import type { AppendOutcome, AppendResult, EventPageQuery, EventRecord, EventStore, GroupCount, StoredEvent, TimeBucketCount } from '../ports.js';
import { uuidToBlob } from '../sql/uuid-blob.js';
import { encodeAppendRows, type AppendCell } from './encode-append-rows.js';
import { SQLITE_READ_SQL } from './sqlite-event-queries.js';
import type { ClosableFilterReads } from './sqlite-filter-reads.js';
import type { SqliteReader } from './sqlite-reader.js';
import type { SqliteWriter } from './sqlite-writer.js';

const RESULTS: readonly AppendResult[] = ['inserted', 'duplicate', 'conflict'];

/** Events deleted per retention transaction: small enough that appends queue behind it only briefly. */
const PURGE_BATCH = 2000;

/**
 * The SQLite {@link EventStore}. Writes go to the writer worker (`SqliteWriter`), which owns its own
 * connection and commits on its own thread. The reads that take a filter run on read threads
 * (`sqlite-filter-reads.ts`); lookups by id and by log position on the main thread's connection. WAL
 * lets them read while the worker writes. A read started after an append resolved sees that append.
 *
 * Open it with `openSqliteStorage`, which migrates the schema and starts the worker.
 *
 * @example
 * const { events } = await openSqliteStorage({ dataDir: '/var/lib/herald' });
 * const { results } = await events.append(records); // ['inserted', 'duplicate', …]
 */
export class SqliteEventStore implements EventStore {
  readonly dialect = 'sqlite' as const;

  constructor(
    private readonly reader: SqliteReader,
    private readonly writer: SqliteWriter,
    private readonly file: string,
    /** The reads that take a filter, on the read threads (`sqlite-filter-reads.ts`). */
    private readonly filterReads: ClosableFilterReads,
  ) {}

  /** Encodes the records at once and keeps only the encoding: the caller's records are free to go. */
  append(records: EventRecord[]): Promise<AppendOutcome> {
    if (records.length === 0) return this.lastSeq().then((lastSeq) => ({ results: [], seqs: [], lastSeq }));
    let rows: AppendCell[];
    try {
      rows = encodeAppendRows(records);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.writer.append(rows, records.length).then((outcome) => ({
      results: Array.from(outcome.results, (code) => RESULTS[code]!),
      seqs: Array.from(outcome.seqs),
      lastSeq: outcome.lastSeq,
    }));
  }

  page(query: EventPageQuery): Promise<StoredEvent[]> {
    return this.filterReads.page(query);
  }

  count(filter: NormalizedEventFilter): Promise<number> {
    return this.filterReads.count(filter);
  }

  countByTime(filter: NormalizedEventFilter, grid: { pivot: number; delta: number }): Promise<TimeBucketCount[]> {
    return this.filterReads.countByTime(filter, grid);
  }

  countByEvent(filter: NormalizedEventFilter): Promise<GroupCount[]> {
    return this.filterReads.countByEvent(filter);
  }

  countByResource(filter: NormalizedEventFilter): Promise<GroupCount[]> {
    return this.filterReads.countByResource(filter);
  }

  async get(id: string): Promise<StoredEvent | null> {
    if (!isUuid(id)) return null;
    return (this.prepare(SQLITE_READ_SQL.get).get(uuidToBlob(id)) as StoredEvent | undefined) ?? null;
  }

  async readLog(afterSeq: number, limit: number): Promise<{ seq: number; json: string }[]> {
    if (limit <= 0) return [];
    return this.prepare(SQLITE_READ_SQL.readLog).all(afterSeq, limit) as { seq: number; json: string }[];
  }

  async lastSeq(): Promise<number> {
    return this.prepare(SQLITE_READ_SQL.lastSeq).pluck().get() as number;
  }

  /** Deletes on the writer, {@link PURGE_BATCH} events per transaction, with their resource rows. */
  purgeBefore(cutoff: number): Promise<number> {
    return this.writer.purge(cutoff, PURGE_BATCH);
  }

  /** The database file's pages plus the WAL file (which holds committed pages until a checkpoint). */
  async sizeBytes(): Promise<number> {
    const pages = this.prepare(SQLITE_READ_SQL.pageCount).pluck().get() as number;
    const pageSize = this.prepare(SQLITE_READ_SQL.pageSize).pluck().get() as number;
    let wal = 0;
    try {
      wal = statSync(`${this.file}-wal`).size;
    } catch {
      // No WAL file: everything is checkpointed.
    }
    return pages * pageSize + wal;
  }

  /** Closes the whole storage: the stores share the writer and the read connection. */
  async close(): Promise<void> {
    try {
      await this.filterReads.close();
      await this.writer.close();
    } finally {
      this.reader.close();
    }
  }

  private prepare(sql: string) {
    return this.reader.prepare(sql);
  }
}
