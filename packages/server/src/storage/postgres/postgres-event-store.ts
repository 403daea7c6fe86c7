import type { NormalizedEventFilter } from '@herald/core';
import type { AppendOutcome, EventPageQuery, EventRecord, EventStore, GroupCount, StoredEvent, TimeBucketCount } from '../ports.js';
import { appendEvents } from './postgres-append.js';
import type { PostgresDatabase } from './postgres-database.js';
import { PostgresEventQueries } from './postgres-event-queries.js';
import type { PostgresPartitions } from './postgres-partitions.js';
import { purgeEventsBefore } from './postgres-retention.js';

/**
 * The PostgreSQL {@link EventStore}: events and their resources in tables partitioned by UTC day.
 * Open it with `openPostgresStorage`, which migrates the schema and loads the known partitions.
 *
 * @example
 * const { events } = await openPostgresStorage({ url: 'postgres://herald@db/herald' });
 * await events.append(records);
 */
export class PostgresEventStore implements EventStore {
  readonly dialect = 'postgres' as const;
  /** Lookups by id and by log position, on the pool that appends use. */
  private readonly queries: PostgresEventQueries;
  /** The reads that take a filter, on a pool of their own (`filterDb`, default `db`). */
  private readonly filterQueries: PostgresEventQueries;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly partitions: PostgresPartitions,
    private readonly filterDb: PostgresDatabase = db,
  ) {
    this.queries = new PostgresEventQueries(db);
    this.filterQueries = filterDb === db ? this.queries : new PostgresEventQueries(filterDb);
  }

  async append(records: EventRecord[]): Promise<AppendOutcome> {
    if (records.length === 0) return { results: [], seqs: [], lastSeq: await this.queries.lastSeq() };
    return appendEvents(this.db, this.partitions, records);
  }

  page(query: EventPageQuery): Promise<StoredEvent[]> {
    return this.filterQueries.page(query);
  }

  count(filter: NormalizedEventFilter): Promise<number> {
    return this.filterQueries.count(filter);
  }

  countByTime(filter: NormalizedEventFilter, grid: { pivot: number; delta: number }): Promise<TimeBucketCount[]> {
    return this.filterQueries.countByTime(filter, grid);
  }

  countByEvent(filter: NormalizedEventFilter): Promise<GroupCount[]> {
    return this.filterQueries.countByEvent(filter);
  }

  countByResource(filter: NormalizedEventFilter): Promise<GroupCount[]> {
    return this.filterQueries.countByResource(filter);
  }

  get(id: string): Promise<StoredEvent | null> {
    return this.queries.get(id);
  }

  readLog(afterSeq: number, limit: number): Promise<{ seq: number; json: string }[]> {
    return this.queries.readLog(afterSeq, limit);
  }

  lastSeq(): Promise<number> {
    return this.queries.lastSeq();
  }

  purgeBefore(cutoff: number): Promise<number> {
    return purgeEventsBefore(this.db, this.partitions, cutoff);
  }

  sizeBytes(): Promise<number> {
    return this.queries.sizeBytes();
  }

  /** Ends the pools. The storage and its stores share them, so closing any of them closes all. */
  async close(): Promise<void> {
    await Promise.all([this.db.end(), this.filterDb.end()]);
  }
}
