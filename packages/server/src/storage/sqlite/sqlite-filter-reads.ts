import type { NormalizedEventFilter } from '@herald/core';
import { createThreadPool, startModuleWorker, type PoolLogger } from '../../workers/thread-pool.js';
import type { EventPageQuery, GroupCount, StoredEvent, TimeBucketCount } from '../ports.js';
import { queryTimeoutError } from '../query-time-limit.js';
import { countByEventSql, countSql, pageSql } from './sqlite-event-queries.js';
import type { SqliteReader } from './sqlite-reader.js';
import { countDistinctResources, readCountByResource, readDistinctPage } from './sqlite-resource-reads.js';
import { readCountByTime } from './sqlite-time-buckets.js';

/**
 * The reads of the SQLite event store that take a filter. Any of them may visit every event of its
 * window: a text search for a word that no event holds reads all their JSON (3.3 s at 1M events).
 */
export interface SqliteFilterReads {
  page(query: EventPageQuery): Promise<StoredEvent[]>;
  count(filter: NormalizedEventFilter): Promise<number>;
  countByTime(filter: NormalizedEventFilter, grid: { pivot: number; delta: number }): Promise<TimeBucketCount[]>;
  countByEvent(filter: NormalizedEventFilter): Promise<GroupCount[]>;
  countByResource(filter: NormalizedEventFilter): Promise<GroupCount[]>;
}

/** One filter read, as a read thread is sent it. */
export type FilterRead = { [K in keyof SqliteFilterReads]: { op: K; args: Parameters<SqliteFilterReads[K]> } }[keyof SqliteFilterReads];

/** The filter reads on one reader (the calling thread's connections). */
export function readFilters(reader: SqliteReader): SqliteFilterReads {
  return {
    async page(query) {
      if (query.limit <= 0) return [];
      if (query.filter.distinct) return readDistinctPage(reader, query);
      const { sql, params } = pageSql(query);
      return reader.prepare(sql).all(...params) as StoredEvent[];
    },
    async count(filter) {
      if (filter.distinct) return countDistinctResources(reader, filter);
      const { sql, params } = countSql(filter);
      return reader
        .prepare(sql)
        .pluck()
        .get(...params) as number;
    },
    async countByTime(filter, grid) {
      return readCountByTime(reader, filter, grid);
    },
    async countByEvent(filter) {
      const { sql, params } = countByEventSql(filter);
      return reader.prepare(sql).all(...params) as GroupCount[];
    },
    countByResource: (filter) => readCountByResource(reader, filter),
  };
}

/** Runs a read sent to a thread. */
export function runFilterRead(reads: SqliteFilterReads, read: FilterRead): Promise<unknown> {
  return (reads[read.op] as (...args: unknown[]) => Promise<unknown>)(...read.args);
}

/** Filter reads that can be stopped: `close` waits for those under way. */
export type ClosableFilterReads = SqliteFilterReads & { close(): Promise<void> };

/**
 * The filter reads on `threads` read threads (`sqlite-read-worker.ts`), each with connections of its
 * own, so that a read that visits millions of rows never holds up the event loop: acknowledgements,
 * live delivery and other requests go on meanwhile. With `threads` 0, or when a thread fails, they run
 * on `reader`. `analyzed` counts the writer's ANALYZE runs: a thread reconnects when it has changed,
 * to load the new planner statistics, as `reader.refresh()` does here. A read on a thread that takes
 * longer than `timeLimitMs` fails with `QUERY_TIMEOUT`, and its thread is replaced: the search stops
 * there, where on `reader` nothing could stop it.
 *
 * @example
 * const reads = sqliteFilterReads({ file, reader, threads: 1, analyzed, logger });
 * await reads.count(filter);
 */
export function sqliteFilterReads(options: {
  file: string;
  reader: SqliteReader;
  threads: number;
  analyzed: Int32Array;
  timeLimitMs?: number;
  logger: PoolLogger;
}): ClosableFilterReads {
  const { timeLimitMs } = options;
  const here = readFilters(options.reader);
  const pool = createThreadPool<FilterRead, unknown>({
    name: 'SQLite reader',
    threads: options.threads,
    spawn: () => startModuleWorker(import.meta.url, 'sqlite-read-worker', { file: options.file, analyzed: options.analyzed }),
    inline: (read) => runFilterRead(here, read),
    timeLimit: timeLimitMs === undefined ? undefined : { ms: timeLimitMs, error: () => queryTimeoutError(timeLimitMs) },
    logger: options.logger,
  });
  const run = <T>(read: FilterRead) => pool.run(read) as Promise<T>;
  return {
    page: (query) => run({ op: 'page', args: [query] }),
    count: (filter) => run({ op: 'count', args: [filter] }),
    countByTime: (filter, grid) => run({ op: 'countByTime', args: [filter, grid] }),
    countByEvent: (filter) => run({ op: 'countByEvent', args: [filter] }),
    countByResource: (filter) => run({ op: 'countByResource', args: [filter] }),
    close: () => pool.close(),
  };
}
