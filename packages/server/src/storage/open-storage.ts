import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/config.js';
import type { Storage } from './ports.js';
import { openPostgresStorage } from './postgres/index.js';
import { openSqliteStorage } from './sqlite/index.js';

/**
 * Opens the configured storage: PostgreSQL when a `postgres://` URL is set, otherwise the embedded
 * SQLite database in the data directory. Migrations run here.
 *
 * @example
 * const storage = await openStorage(config.storage, logger);
 */
export function openStorage(config: HeraldConfig['storage'], logger: Logger): Promise<Storage> {
  if (config.databaseUrl) return openPostgresStorage({ url: config.databaseUrl, logger: logger.child({ component: 'postgres' }) });
  return openSqliteStorage({ dataDir: config.dataDir });
}
