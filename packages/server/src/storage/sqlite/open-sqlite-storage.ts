import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../ports.js';
import { SqliteApiKeyStore } from './sqlite-api-key-store.js';
import { SqliteAutomationStore } from './sqlite-automation-store.js';
import { openSqliteConnection, WRITER_PRAGMAS } from './sqlite-connection.js';
import { SqliteConnectionStore } from './sqlite-connection-store.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { sqliteFilterReads } from './sqlite-filter-reads.js';
import { migrateSqlite } from './sqlite-migrations.js';
import { SqliteReader } from './sqlite-reader.js';
import { SqliteWebhookStore } from './sqlite-webhook-store.js';
import { SqliteWriter } from './sqlite-writer.js';
import type { PoolLogger } from '../../workers/thread-pool.js';

export interface SqliteStorageOptions {
  /** The data directory; created if missing. The database is `<dataDir>/herald.db`. */
  dataDir: string;
  /** Appends queued while the writer is busy are merged into one transaction up to this many events. Default 20,000. */
  maxEventsPerTransaction?: number;
  /** Events before the first ANALYZE of the planner statistics (then one at each doubling). Default 2,000. */
  analyzeAfterEvents?: number;
  /** Events whose resource rows wait outside the resource index (`sqlite-resource-tail.ts`). Default 2,048. */
  resourceIndexBatchEvents?: number;
  /** Threads for the reads that take a filter (`sqlite-filter-reads.ts`); 0 reads on the calling thread. Default 0. */
  readThreads?: number;
  /** How long a read on a read thread may take before it fails with `QUERY_TIMEOUT`. Default: no limit. */
  queryTimeoutMs?: number;
  /** Where a read thread that stops, or a read past its time limit, is reported. */
  logger?: PoolLogger;
}

/** The database file inside a data directory. */
export function sqliteDatabaseFile(dataDir: string): string {
  return join(dataDir, 'herald.db');
}

/**
 * Opens `<dataDir>/herald.db` (creating it), applies the pending migrations, and returns the stores:
 * reads on a connection of the main thread (those that take a filter on `readThreads` threads), writes
 * on a worker thread with its own connection.
 * `close()` finishes the queued writes, checkpoints the WAL and closes both.
 *
 * @example
 * const storage = await openSqliteStorage({ dataDir: join(homedir(), '.herald') });
 * await storage.events.append(records);
 * await storage.close();
 */
export async function openSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  mkdirSync(options.dataDir, { recursive: true });
  const file = sqliteDatabaseFile(options.dataDir);
  const setup = openSqliteConnection(file, WRITER_PRAGMAS);
  try {
    migrateSqlite(setup);
  } finally {
    setup.close();
  }
  const reader = new SqliteReader(file);
  // The writer's ANALYZE runs, counted for the read threads (they reconnect, as `reader.refresh` does).
  const analyzed = new Int32Array(new SharedArrayBuffer(4));
  try {
    const writer = await SqliteWriter.start({
      file,
      maxEventsPerTransaction: options.maxEventsPerTransaction,
      analyzeAfterEvents: options.analyzeAfterEvents,
      resourceIndexBatchEvents: options.resourceIndexBatchEvents,
      onAnalyzed: () => {
        reader.refresh();
        Atomics.add(analyzed, 0, 1);
      },
    });
    const filterReads = sqliteFilterReads({
      file,
      reader,
      threads: options.readThreads ?? 0,
      analyzed,
      timeLimitMs: options.queryTimeoutMs,
      logger: options.logger ?? { error: () => undefined, warn: () => undefined },
    });
    const events = new SqliteEventStore(reader, writer, file, filterReads);
    return {
      events,
      keys: new SqliteApiKeyStore(reader, writer),
      automations: new SqliteAutomationStore(reader, writer),
      connections: new SqliteConnectionStore(reader, writer),
      webhooks: new SqliteWebhookStore(reader, writer),
      close: () => events.close(),
    };
  } catch (error) {
    reader.close();
    throw error;
  }
}
