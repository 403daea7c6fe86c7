import { randomUUID } from 'node:crypto';
import { DEFAULT_EVENT_LIMITS, toMicros } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createHttpApi, type HttpApiDeps } from '../api/http-api.js';
import { createApiKeyAuthenticator } from '../auth/api-key-authenticator.js';
import { createApiKey } from '../auth/api-keys.js';
import { createIngestPipeline, type IngestPipeline } from '../ingestion/ingest-pipeline.js';
import { createInMemoryEventBus } from '../messaging/event-bus.js';
import { createMetrics, type HeraldMetrics } from '../observability/metrics.js';
import { openPostgresStorage } from '../storage/postgres/index.js';
import type { Storage } from '../storage/ports.js';
import { openSqliteStorage } from '../storage/sqlite/index.js';
import { createTempDir, createTempPostgresDatabase } from './temp-resources.js';

/** A running HTTP API over real storage, the real ingest pipeline and the real API-key authenticator. */
export interface HttpApiHarness {
  app: FastifyInstance;
  storage: Storage;
  metrics: HeraldMetrics;
  pipeline: IngestPipeline;
  /** Every log line the server wrote, as JSON text. */
  logLines: string[];
  /** The API's clock in µs; tests move it. */
  clock: { now: number };
  /** Creates an API key (from then on every `/api/*` route needs it) and returns it. */
  createKey(): Promise<string>;
  close(): Promise<void>;
}

export interface HttpApiHarnessOptions {
  /** The real store to run on: a SQLite file in a temporary directory (the default) or a fresh PostgreSQL database. */
  dialect?: 'sqlite' | 'postgres';
  now?: number;
  maxPageSize?: number;
  maxBodyBytes?: number;
  registerExtraRoutes?: HttpApiDeps['registerExtraRoutes'];
}

async function openTestStorage(dialect: 'sqlite' | 'postgres'): Promise<{ storage: Storage; remove: () => Promise<void> }> {
  if (dialect === 'postgres') {
    const database = await createTempPostgresDatabase('herald_api');
    try {
      return { storage: await openPostgresStorage({ url: database.url, maxConnections: 4 }), remove: () => database.drop() };
    } catch (error) {
      await database.drop();
      throw error;
    }
  }
  const dir = createTempDir('herald-api-');
  return { storage: await openSqliteStorage({ dataDir: dir.path }), remove: async () => dir.remove() };
}

/**
 * Starts `createHttpApi` over fresh real storage (removed by `close()`).
 *
 * @example
 * const h = await startHttpApiHarness();
 * const res = await h.app.inject({ method: 'POST', url: '/api/events', payload: [event] });
 * await h.close();
 */
export async function startHttpApiHarness(options: HttpApiHarnessOptions = {}): Promise<HttpApiHarness> {
  const { storage, remove } = await openTestStorage(options.dialect ?? 'sqlite');
  const logLines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const metrics = createMetrics(() => storage.events.sizeBytes());
  const pipeline = createIngestPipeline({
    store: storage.events,
    bus: createInMemoryEventBus(),
    limits: DEFAULT_EVENT_LIMITS,
    commitMaxEvents: 5000,
    metrics,
    logger,
  });
  const clock = { now: options.now ?? toMicros(Date.now()) };
  const app = createHttpApi({
    ingest: pipeline,
    events: storage.events,
    auth: createApiKeyAuthenticator({ store: storage.keys, cacheMs: 0 }),
    metrics,
    logger,
    now: () => clock.now,
    version: '0.1.0',
    limits: { maxBodyBytes: options.maxBodyBytes ?? 10_000_000, maxPageSize: options.maxPageSize ?? 200 },
    ...(options.registerExtraRoutes ? { registerExtraRoutes: options.registerExtraRoutes } : {}),
  });
  await app.ready();
  return {
    app,
    storage,
    metrics,
    pipeline,
    logLines,
    clock,
    async createKey() {
      return (await createApiKey(storage.keys, { name: 'test' })).key;
    },
    async close() {
      await app.close();
      await pipeline.close();
      await storage.close();
      await remove();
    },
  };
}

/**
 * A valid inbound event with a fresh id; `overrides` replace top-level fields.
 *
 * @example
 * testEvent({ event: 'acme.thing.happened', occurred: '2026-08-21T10:00:00Z' })
 */
export function testEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    occurred: '2026-08-21T10:00:00Z',
    event: 'acme.model.refreshed',
    resource: { 'prefect.resource.id': 'acme.model.churn' },
    related: [],
    payload: {},
    ...overrides,
  };
}
