import type { AddressInfo } from 'node:net';
import { DEFAULT_EVENT_LIMITS, formatDateTime, newEventId, toMicros, type Event } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createApiKeyAuthenticator } from '../auth/api-key-authenticator.js';
import { createApiKey } from '../auth/api-keys.js';
import { createHttpApi } from '../api/http-api.js';
import { DEFAULT_WEBSOCKET_OPTIONS, websocketRoutes, type WebsocketOptions } from '../api/websocket/websocket-routes.js';
import { normalizeEvent } from '../ingestion/event-normalizer.js';
import { createIngestPipeline, type IngestPipeline } from '../ingestion/ingest-pipeline.js';
import { createInMemoryEventBus, type EventBus } from '../messaging/event-bus.js';
import { createMetrics, type HeraldMetrics } from '../observability/metrics.js';
import type { EventRecord, EventStore, Storage } from '../storage/ports.js';
import { openPostgresStorage } from '../storage/postgres/index.js';
import { openSqliteStorage } from '../storage/sqlite/index.js';
import { createTempDir, createTempPostgresDatabase } from './temp-resources.js';

/**
 * A real Herald server on 127.0.0.1: the HTTP API with the websocket routes mounted through its
 * `registerExtraRoutes` hook, over a real store, ingest pipeline, bus and authenticator.
 */
export interface WsTestServer {
  app: FastifyInstance;
  /** `ws://127.0.0.1:<port>` */
  baseUrl: string;
  storage: Storage;
  pipeline: IngestPipeline;
  bus: EventBus;
  metrics: HeraldMetrics;
  /** Creates an API key, which from then on is required. */
  createKey(): Promise<string>;
  close(): Promise<void>;
}

export interface WsTestServerOptions {
  /** Where the events are stored: a SQLite data directory (the default store) or a PostgreSQL database. */
  storage: { sqliteDir: string } | { postgresUrl: string };
  websocket?: Partial<WebsocketOptions>;
  /** Instruments the real event store the routes read (e.g. to act at a precise moment). */
  wrapEvents?: (events: EventStore) => EventStore;
}

/**
 * Starts the server on port 0.
 *
 * @example
 * const server = await startWsTestServer({ storage: { sqliteDir: dir.path }, websocket: { backfillPageSize: 5 } });
 */
export async function startWsTestServer(options: WsTestServerOptions): Promise<WsTestServer> {
  const storage =
    'sqliteDir' in options.storage
      ? await openSqliteStorage({ dataDir: options.storage.sqliteDir })
      : await openPostgresStorage({ url: options.storage.postgresUrl, maxConnections: 4 });
  const logger = pino({ level: 'silent' });
  const metrics = createMetrics(() => storage.events.sizeBytes());
  const bus = createInMemoryEventBus();
  const pipeline = createIngestPipeline({
    store: storage.events,
    bus,
    limits: DEFAULT_EVENT_LIMITS,
    commitMaxEvents: 5000,
    metrics,
    logger,
  });
  const auth = createApiKeyAuthenticator({ store: storage.keys, cacheMs: 0 });
  const now = () => toMicros(Date.now());
  const app = createHttpApi({
    ingest: pipeline,
    events: storage.events,
    auth,
    metrics,
    logger,
    now,
    version: '0.1.0',
    limits: { maxBodyBytes: 10_000_000, maxPageSize: 200 },
    registerExtraRoutes: async (api) => {
      await api.register(
        websocketRoutes({
          ingest: pipeline,
          events: options.wrapEvents ? options.wrapEvents(storage.events) : storage.events,
          bus,
          auth,
          metrics,
          logger,
          now,
          options: { ...DEFAULT_WEBSOCKET_OPTIONS, ...options.websocket },
        }),
      );
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    baseUrl: `ws://127.0.0.1:${port}`,
    storage,
    pipeline,
    bus,
    metrics,
    createKey: async () => (await createApiKey(storage.keys, { name: 'test' })).key,
    async close() {
      await app.close();
      await pipeline.close();
      await storage.close();
    },
  };
}

export type TestBackend = 'sqlite' | 'postgres';

/** A fresh place to store events: a temporary SQLite data directory or PostgreSQL database, and its removal. */
export async function createTestStorageLocation(
  backend: TestBackend,
): Promise<{ storage: WsTestServerOptions['storage']; remove(): Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = createTempDir('herald-ws-');
    return { storage: { sqliteDir: dir.path }, remove: async () => dir.remove() };
  }
  const database = await createTempPostgresDatabase('herald_ws');
  return { storage: { postgresUrl: database.url }, remove: () => database.drop() };
}

/** A valid event whose primary resource is `resourceId`, occurring `agoMs` before now. */
export function testEvent(resourceId: string, options: { agoMs?: number; payload?: Event['payload']; id?: string } = {}): Event {
  return {
    occurred: formatDateTime(toMicros(Date.now() - (options.agoMs ?? 0))),
    event: 'acme.model.refreshed',
    resource: { 'prefect.resource.id': resourceId },
    related: [],
    payload: options.payload ?? {},
    id: options.id ?? newEventId(),
    follows: null,
  };
}

/** The stored form of an event, for appending to the store directly (committed but never published). */
export function testRecord(event: Event): EventRecord {
  const r = normalizeEvent(event, toMicros(Date.now()), { maxEventBytes: DEFAULT_EVENT_LIMITS.maxEventBytes, path: [] });
  if (!r.ok) throw new Error('invalid test event');
  return r.record;
}

/** The current value of a metric (summed over label sets matching `labels`). */
export async function metricValue(metrics: HeraldMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value))
    .filter((v) => !('metricName' in v) || v.metricName === name || v.metricName === `${name}_count`)
    .reduce((sum, v) => sum + v.value, 0);
}
