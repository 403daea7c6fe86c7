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
  private readonly queries: PostgresEventQueries;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly partitions: PostgresPartitions,
  ) {
    this.queries = new PostgresEventQueries(db);
  }

  async append(records: EventRecord[]): Promise<AppendOutcome> {
    if (records.length === 0) return { results: [], seqs: [], lastSeq: await this.queries.lastSeq() };
    return appendEvents(this.db, this.partitions, records);
  }

  page(query: EventPageQuery): Promise<StoredEvent[]> {
    return this.queries.page(query);
  }

  count(filter: NormalizedEventFilter): Promise<number> {
    return this.queries.count(filter);
  }

  countByTime(filter: NormalizedEventFilter, grid: { pivot: number; delta: number }): Promise<TimeBucketCount[]> {
    return this.queries.countByTime(filter, grid);
  }

  countByEvent(filter: NormalizedEventFilter): Promise<GroupCount[]> {
    return this.queries.countByEvent(filter);
  }

  countByResource(filter: NormalizedEventFilter): Promise<GroupCount[]> {
    return this.queries.countByResource(filter);
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

  /** Ends the pool. The storage and its stores share it, so closing any of them closes all. */
  close(): Promise<void> {
    return this.db.end();
  }
}
