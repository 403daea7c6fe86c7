import type Database from 'better-sqlite3';
import { openSqliteConnection, READER_PRAGMAS } from './sqlite-connection.js';

/** Distinct statement texts kept prepared; filters of one shape share one text. */
const STATEMENT_CACHE_SIZE = 256;

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
  private db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly file: string) {
    this.db = SqliteReader.connect(file);
  }

  private static connect(file: string): Database.Database {
    const db = openSqliteConnection(file, READER_PRAGMAS);
    db.pragma('query_only = ON');
    return db;
  }

  /** The statement for this SQL text, prepared once. A statement is used in one mode (pluck, raw) only. */
  prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Reconnects. SQLite loads planner statistics when a connection reads the schema, and an ANALYZE on
   * another connection does not make this one read it again, so the writer's ANALYZE is followed by a
   * reconnect. Reads are synchronous, so none is in flight here.
   */
  refresh(): void {
    if (!this.db.open) return;
    const fresh = SqliteReader.connect(this.file);
    this.statements.clear();
    this.db.close();
    this.db = fresh;
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
