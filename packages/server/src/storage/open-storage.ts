import { MICROS } from '@herald/core';
import type { HeraldConfig } from '../config/config.js';
import type { Storage } from './ports.js';
import { openPostgresStorage } from './postgres/index.js';
import type { PostgresLogger } from './postgres/postgres-database.js';
import { openSqliteStorage } from './sqlite/index.js';
import type { PoolLogger } from '../workers/thread-pool.js';

/** What storage logs through: a child logger with `warn` and `error`. A pino logger is one; so is the CLI's. */
export interface StorageLogger {
  child(bindings: Record<string, unknown>): PostgresLogger & PoolLogger;
}

/**
 * Opens the configured storage: PostgreSQL when a `postgres://` URL is set, otherwise the embedded
 * SQLite database in the data directory. Migrations run here.
 *
 * @example
 * const storage = await openStorage(config.storage, logger);
 */
export function openStorage(config: HeraldConfig['storage'], logger: StorageLogger): Promise<Storage> {
  if (config.databaseUrl) {
    // Day partitions only for the days retention keeps (plus one): every append checks its ids against
    // each partition, so partitions beyond retention would cost without holding anything.
    const pastDays = Math.ceil(config.retentionMicros / MICROS.day) + 1;
    return openPostgresStorage({
      url: config.databaseUrl,
      partitionWindow: { pastDays, futureDays: 7 },
      queryTimeoutMs: config.queryTimeoutMs,
      logger: logger.child({ component: 'postgres' }),
    });
  }
  return openSqliteStorage({
    dataDir: config.dataDir,
    readThreads: config.readThreads,
    queryTimeoutMs: config.queryTimeoutMs,
    logger: logger.child({ component: 'sqlite' }),
  });
}
