import type Database from 'better-sqlite3';
import { setImmediate as turn } from 'node:timers/promises';
import { openSqliteConnection, READER_PRAGMAS } from './sqlite-connection.js';

/** Distinct statement texts kept prepared; filters of one shape share one text. */
const STATEMENT_CACHE_SIZE = 256;

/** Rows a long read visits between two turns of the event loop (a few ms). */
export const LONG_READ_SLICE_ROWS = 4096;

/** What a long read (see {@link SqliteReader.longRead}) reads with. */
export interface LongRead {
  /** A statement of the long-read connection, prepared once. */
  prepare(sql: string): Database.Statement;
  /**
   * Visits the rows of a statement, with a turn of the event loop every {@link LONG_READ_SLICE_ROWS}
   * rows; `visit` returns false to stop.
   */
  each<R>(statement: Database.Statement, params: unknown[], visit: (row: R) => boolean | void): Promise<void>;
  /** Maps items with a turn of the event loop every {@link LONG_READ_SLICE_ROWS} items. */
  map<T, R>(items: readonly T[], fn: (item: T) => R): Promise<R[]>;
}

/** A connection with its own cache of prepared statements. */
class Connection {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.db = openSqliteConnection(file, READER_PRAGMAS);
    this.db.pragma('query_only = ON');
  }

  prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

async function each<R>(statement: Database.Statement, params: unknown[], visit: (row: R) => boolean | void): Promise<void> {
  const rows = statement.iterate(...params) as IterableIterator<R>;
  try {
    for (;;) {
      for (let i = 0; i < LONG_READ_SLICE_ROWS; i++) {
        const next = rows.next();
        if (next.done === true || visit(next.value) === false) return;
      }
      await turn();
    }
  } finally {
    rows.return?.();
  }
}

async function map<T, R>(items: readonly T[], fn: (item: T) => R): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % LONG_READ_SLICE_ROWS === 0) await turn();
    out.push(fn(items[i]!));
  }
  return out;
}

/**
 * The read connection of the main thread, with a cache of prepared statements. It never writes
 * (`query_only`). WAL lets it read while the writer worker commits; each statement sees every commit
 * that finished before it started.
 *
 * @example
 * const reader = new SqliteReader(file);
 * reader.prepare('SELECT count(*) FROM events').pluck().get();
 */
export class SqliteReader {
  private connection: Connection;
  /** The long reads' connection, opened with the first; null until then and once stale. */
  private long: Connection | null = null;
  private longReads: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly file: string) {
    this.connection = new Connection(file);
  }

  /** The statement for this SQL text, prepared once. A statement is used in one mode (pluck, raw) only. */
  prepare(sql: string): Database.Statement {
    return this.connection.prepare(sql);
  }

  /**
   * Runs a read that visits many rows (a count by resource visits every matching event: 1.3 s at 1M)
   * on a connection of its own, giving the event loop a turn every {@link LONG_READ_SLICE_ROWS} rows,
   * so that acknowledgements and other requests go on meanwhile. Long reads run one after the other;
   * each sees the commits that finished before its statements started, as a synchronous read would.
   *
   * @example
   * const n = await reader.longRead(async (read) => {
   *   let count = 0;
   *   await read.each(read.prepare('SELECT seq FROM events'), [], () => void count++);
   *   return count;
   * });
   */
  longRead<T>(work: (read: LongRead) => Promise<T>): Promise<T> {
    const run = this.longReads.then(() => {
      if (this.closed) throw new Error('the database connection is closed');
      const connection = (this.long ??= new Connection(this.file));
      return work({ prepare: (sql) => connection.prepare(sql), each, map });
    });
    this.longReads = run.catch(() => undefined);
    return run;
  }

  /**
   * Reconnects. SQLite loads planner statistics when a connection reads the schema, and an ANALYZE on
   * another connection does not make this one read it again, so the writer's ANALYZE is followed by a
   * reconnect. Reads on the main connection are synchronous, so none is in flight here; the long-read
   * connection is replaced once the long reads under way are done.
   */
  refresh(): void {
    if (this.closed) return;
    const fresh = new Connection(this.file);
    this.connection.close();
    this.connection = fresh;
    const stale = this.long;
    if (stale === null) return;
    this.longReads = this.longReads.then(() => {
      stale.close();
      if (this.long === stale) this.long = null;
    });
  }

  close(): void {
    this.closed = true;
    this.connection.close();
    this.long?.close();
  }
}
