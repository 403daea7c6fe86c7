import { isUuid, type NormalizedEventFilter } from '@herald/core';
import { statSync } from 'node:fs';
import type { AppendOutcome, AppendResult, EventPageQuery, EventRecord, EventStore, GroupCount, StoredEvent, TimeBucketCount } from '../ports.js';
import type { SqlFragment } from '../sql/filter-compiler.js';
import { uuidToBlob } from '../sql/uuid-blob.js';
import { encodeAppendRows } from './encode-append-rows.js';
import { countByEventSql, countSql, pageSql, SQLITE_READ_SQL } from './sqlite-event-queries.js';
import type { SqliteReader } from './sqlite-reader.js';
import { countDistinctResources, readCountByResource, readDistinctPage } from './sqlite-resource-reads.js';
import { readCountByTime } from './sqlite-time-buckets.js';
import type { SqliteWriter } from './sqlite-writer.js';

const RESULTS: readonly AppendResult[] = ['inserted', 'duplicate', 'conflict'];

/** Events deleted per retention transaction: small enough that appends queue behind it only briefly. */
const PURGE_BATCH = 2000;

/**
 * The SQLite {@link EventStore}. Writes go to the writer worker (`SqliteWriter`), which owns its own
 * connection and commits on its own thread; reads run on the main thread on a second connection, which
 * WAL lets read while the worker writes. A read started after an append resolved sees that append.
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
  ) {}

  async append(records: EventRecord[]): Promise<AppendOutcome> {
    if (records.length === 0) return { results: [], seqs: [], lastSeq: await this.lastSeq() };
    const outcome = await this.writer.append(encodeAppendRows(records), records.length);
    return {
      results: Array.from(outcome.results, (code) => RESULTS[code]!),
      seqs: Array.from(outcome.seqs),
      lastSeq: outcome.lastSeq,
    };
  }

  async page(query: EventPageQuery): Promise<StoredEvent[]> {
    if (query.limit <= 0) return [];
    if (query.filter.distinct) return readDistinctPage(this.reader, query);
    return this.all<StoredEvent>(pageSql(query));
  }

  async count(filter: NormalizedEventFilter): Promise<number> {
    if (filter.distinct) return countDistinctResources(this.reader, filter);
    return this.value<number>(countSql(filter));
  }

  async countByTime(filter: NormalizedEventFilter, grid: { pivot: number; delta: number }): Promise<TimeBucketCount[]> {
    return readCountByTime(this.reader, filter, grid);
  }

  async countByEvent(filter: NormalizedEventFilter): Promise<GroupCount[]> {
    return this.all<GroupCount>(countByEventSql(filter));
  }

  async countByResource(filter: NormalizedEventFilter): Promise<GroupCount[]> {
    return readCountByResource(this.reader, filter);
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
      await this.writer.close();
    } finally {
      this.reader.close();
    }
  }

  private all<T>({ sql, params }: SqlFragment): T[] {
    return this.prepare(sql).all(...params) as T[];
  }

  private value<T>({ sql, params }: SqlFragment): T {
    return this.prepare(sql).pluck().get(...params) as T;
  }

  private prepare(sql: string) {
    return this.reader.prepare(sql);
  }
}
