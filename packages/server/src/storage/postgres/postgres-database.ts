import { HeraldError } from '@herald/core';
import pg from 'pg';
import { queryTimeoutError } from '../query-time-limit.js';

/** A pg client inside a transaction, or the pool itself: anything that can run a query. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Minimal logger (pino-compatible) for problems that have no caller to throw to. */
export interface PostgresLogger {
  warn(object: object, message: string): void;
}

/**
 * Advisory lock keys (transaction-level). One key serialises every write to the events tables —
 * appends, partition creation and retention — across all replicas sharing the database.
 */
export const LOCK_KEYS = {
  /** 'HRLD' << 32 | 1 */
  eventsWrite: 0x48524c4400000001n,
  /** 'HRLD' << 32 | 2 */
  migrations: 0x48524c4400000002n,
} as const;

// int8 comes back as a string by default. Every bigint Herald stores (µs times, seq, counts) fits in a
// double, so this pool parses them as numbers; the global pg.types stays untouched.
const INT8_OID: number = pg.types.builtins.INT8;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

// SQLSTATE classes that mean "the database is not reachable or not accepting work": retry later.
const UNAVAILABLE_SQLSTATE = /^(08|53|57P)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/**
 * How long DDL (creating or dropping a partition) waits for the exclusive lock on the parent table. A
 * long query holds it off; waiting longer would also hold up every append queued behind the DDL.
 */
export const DDL_LOCK_TIMEOUT_MS = 1000;

/** True for PostgreSQL's `lock_not_available` (a `lock_timeout` expired). */
export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '55P03';
}

/** Maps connection-level failures to `STORAGE_UNAVAILABLE` (503); anything else is rethrown as is. */
export function toStorageError(error: unknown): unknown {
  if (error instanceof HeraldError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const unavailable =
    (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) ||
    (error instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(error.message));
  return unavailable ? new HeraldError('STORAGE_UNAVAILABLE', { cause: error }) : error;
}

export interface PostgresDatabaseOptions {
  url: string;
  /** Maximum pool connections. */
  maxConnections: number;
  /** PostgreSQL's `statement_timeout` on every connection; a statement cancelled by it fails with `QUERY_TIMEOUT`. */
  statementTimeoutMs?: number;
  logger?: PostgresLogger;
}

/**
 * A `pg.Pool` with Herald's conventions: int8 as numbers, connection failures as
 * `STORAGE_UNAVAILABLE`, and transactions that can take an advisory lock first.
 *
 * @example
 * const db = new PostgresDatabase({ url, maxConnections: 10 });
 * await db.transaction(async (client) => { await client.query('...'); }, { lock: LOCK_KEYS.eventsWrite });
 */
/** deadlock_detected and serialization_failure: the statement was rolled back and may simply run again. */
const RETRYABLE_CODES = new Set(['40P01', '40001']);
const RETRYABLE_ATTEMPTS = 4;

export class PostgresDatabase {
  readonly pool: pg.Pool;
  readonly logger: PostgresLogger | undefined;
  private readonly statementTimeoutMs: number | undefined;
  private ending: Promise<void> | undefined;

  constructor(options: PostgresDatabaseOptions) {
    this.logger = options.logger;
    this.statementTimeoutMs = options.statementTimeoutMs;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections,
      types,
      application_name: 'herald',
      connectionTimeoutMillis: 10_000,
      statement_timeout: options.statementTimeoutMs,
    });
    // An idle client can lose its connection (server restart, dropped database); the pool discards it.
    // Without a listener, the pool's 'error' event would crash the process.
    this.pool.on('error', (error) => options.logger?.warn({ err: error }, 'an idle PostgreSQL connection failed; the pool replaces it'));
  }

  /**
   * Runs one statement in its own implicit transaction. A deadlock or serialization failure aborts only
   * this statement, so it is retried: a read racing the first append of a day, which creates that day's
   * partition under stronger locks, can otherwise be chosen as the deadlock victim.
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(sql, params);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        // query_canceled: by statement_timeout, unless an administrator cancelled it.
        if (code === '57014' && this.statementTimeoutMs !== undefined) throw queryTimeoutError(this.statementTimeoutMs);
        if (attempt >= RETRYABLE_ATTEMPTS || !RETRYABLE_CODES.has(code)) throw toStorageError(error);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  /** Runs `fn` in one transaction (READ COMMITTED), after taking the advisory lock `lock` if given. */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options: { lock?: bigint } = {}): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStorageError(error);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      if (options.lock !== undefined) await client.query('SELECT pg_advisory_xact_lock($1)', [options.lock.toString()]);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection itself is gone; do not return it to the pool.
        broken = rollbackError as Error;
      }
      throw toStorageError(error);
    } finally {
      client.release(broken);
    }
  }

  /** Ends the pool once; later calls return the same promise. */
  end(): Promise<void> {
    this.ending ??= this.pool.end();
    return this.ending;
  }
}
