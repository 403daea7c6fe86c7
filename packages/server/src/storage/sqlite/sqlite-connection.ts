import Database from 'better-sqlite3';

/**
 * Settings of the writer connection (in the worker). Measured on 200k events of about 650 B with 2
 * related resources, 2000 per append:
 * - `synchronous = FULL`: a commit is durable when it returns; it costs nothing measurable at these
 *   batch sizes (limits.md S1/S2).
 * - `wal_autocheckpoint = 0`: the checkpointer worker copies the WAL into the database file
 *   (`sqlite-checkpointer-source.ts`), so that no commit waits for a checkpoint.
 * - `journal_size_limit` 128 MB: above the longest WAL between two resets (the writer resets it past
 *   32 MB, see `sqlite-writer.ts`; it reached 60–73 MB under the ingest bench), so that a reset never
 *   truncates it and the commits after one overwrite blocks the file already has. A commit that
 *   extends the file also syncs its new size through the file system's journal: 3.4–4.1 ms per commit
 *   of about 200 events with a WAL that grew to 160 MB and was cut back to 64 MB at each reset, against
 *   2.5–2.8 ms now.
 * - `cache_size` 16 MB: the writer only touches the newest pages of each table and index. 16 MB
 *   inserted as fast as 64 MB and cut the server's peak RSS during the ingest bench from 329 MB to
 *   about 200 MB (a larger cache, 256 MB, or `mmap_size` made no measurable difference either).
 */
export const WRITER_PRAGMAS: readonly string[] = [
  'synchronous = FULL',
  'cache_size = -16384',
  'temp_store = MEMORY',
  'wal_autocheckpoint = 0',
  'journal_size_limit = 134217728',
  'busy_timeout = 5000',
];

/** Settings of the checkpointer's connection: it syncs what it copies, and reads few pages itself. */
export const CHECKPOINTER_PRAGMAS: readonly string[] = [
  'synchronous = FULL',
  'cache_size = -2048',
  'journal_size_limit = 134217728',
  'busy_timeout = 5000',
];

/**
 * Settings of the read connection (on the main thread). It never writes: `query_only` makes sure. Its
 * 64 MB cache holds what queries over millions of events revisit; it fills only as queries run.
 */
export const READER_PRAGMAS: readonly string[] = ['cache_size = -65536', 'temp_store = MEMORY', 'busy_timeout = 5000'];

/**
 * Opens a connection to `file` in WAL mode with the given settings.
 *
 * @example
 * const db = openSqliteConnection('/var/lib/herald/herald.db', READER_PRAGMAS);
 */
export function openSqliteConnection(file: string, pragmas: readonly string[]): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    for (const pragma of pragmas) db.pragma(pragma);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
