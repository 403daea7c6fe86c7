import { toMicros } from '@herald/core';
import type { Storage } from '../ports.js';
import { PostgresApiKeyStore } from './postgres-api-key-store.js';
import { PostgresAutomationStore } from './postgres-automation-store.js';
import { PostgresConnectionStore } from './postgres-connection-store.js';
import { PostgresWebhookStore } from './postgres-webhook-store.js';
import { PostgresDatabase, type PostgresLogger } from './postgres-database.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { migratePostgres } from './postgres-migrations.js';
import { DEFAULT_PARTITION_WINDOW, PostgresPartitions, type PartitionWindow } from './postgres-partitions.js';

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Pool size. Appends are serialised by a lock, so extra connections serve reads. Default 10. */
  maxConnections?: number;
  /**
   * Connections of a pool of their own for the reads that take a filter (pages and counts), so that
   * slow searches can never take the connections that appends, lookups and live delivery need.
   * Default 4.
   */
  readConnections?: number;
  /** `statement_timeout` of those reads: one that runs longer fails with `QUERY_TIMEOUT`. Default: no limit. */
  queryTimeoutMs?: number;
  /** Days around today that get their own partition; older or later events go to the DEFAULT one. */
  partitionWindow?: PartitionWindow;
  /** The current time in µs (tests pass a fixed clock). */
  now?: () => number;
  logger?: PostgresLogger;
}

/**
 * Connects to PostgreSQL, applies the pending migrations (once, even when several replicas start
 * together), and returns the stores. `close()` ends the pools.
 *
 * @example
 * const storage = await openPostgresStorage({ url: process.env.HERALD_DATABASE_URL! });
 * await storage.events.append(records);
 * await storage.close();
 */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const db = new PostgresDatabase({ url: options.url, maxConnections: options.maxConnections ?? 10, logger: options.logger });
  const filterDb = new PostgresDatabase({
    url: options.url,
    maxConnections: options.readConnections ?? 4,
    statementTimeoutMs: options.queryTimeoutMs,
    logger: options.logger,
  });
  try {
    await migratePostgres(db);
    const partitions = new PostgresPartitions(db, {
      window: options.partitionWindow ?? DEFAULT_PARTITION_WINDOW,
      now: options.now ?? (() => toMicros(Date.now())),
    });
    await partitions.load();
    const events = new PostgresEventStore(db, partitions, filterDb);
    return {
      events,
      keys: new PostgresApiKeyStore(db),
      automations: new PostgresAutomationStore(db),
      connections: new PostgresConnectionStore(db),
      webhooks: new PostgresWebhookStore(db),
      close: () => events.close(),
    };
  } catch (error) {
    await Promise.all([db.end(), filterDb.end()]);
    throw error;
  }
}
