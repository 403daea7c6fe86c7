import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../ports.js';
import { SqliteApiKeyStore } from './sqlite-api-key-store.js';
import { openSqliteConnection, READER_PRAGMAS } from './sqlite-connection.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { migrateSqlite } from './sqlite-migrations.js';
import { SqliteWriter } from './sqlite-writer.js';

export interface SqliteStorageOptions {
  /** The data directory; created if missing. The database is `<dataDir>/herald.db`. */
  dataDir: string;
  /** Appends queued while the writer is busy are merged into one transaction up to this many events. Default 20,000. */
  maxEventsPerTransaction?: number;
}

/** The database file inside a data directory. */
export function sqliteDatabaseFile(dataDir: string): string {
  return join(dataDir, 'herald.db');
}

/**
 * Opens `<dataDir>/herald.db` (creating it), applies the pending migrations, and returns the stores:
 * reads on a connection of the main thread, writes on a worker thread with its own connection.
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
  const db = openSqliteConnection(file, READER_PRAGMAS);
  let writer: SqliteWriter | undefined;
  try {
    migrateSqlite(db);
    db.pragma('query_only = ON');
    writer = await SqliteWriter.start({ file, maxEventsPerTransaction: options.maxEventsPerTransaction });
    const events = new SqliteEventStore(db, writer, file);
    return { events, keys: new SqliteApiKeyStore(db, writer), close: () => events.close() };
  } catch (error) {
    await writer?.close();
    db.close();
    throw error;
  }
}
