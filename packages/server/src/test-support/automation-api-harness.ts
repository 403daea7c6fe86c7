import { randomBytes } from 'node:crypto';
import { DEFAULT_EVENT_LIMITS, toMicros, type ReceivedEvent } from '@herald/core';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { createHttpApi } from '../api/http-api.js';
import { createApiKeyAuthenticator } from '../auth/api-key-authenticator.js';
import { createApiKey } from '../auth/api-keys.js';
import type { AutomationChange } from '../automations/automation-service.js';
import { createAutomationServices, type AutomationServices } from '../automations/automation-wiring.js';
import { createIngestPipeline, type IngestPipeline } from '../ingestion/ingest-pipeline.js';
import { createInMemoryEventBus } from '../messaging/event-bus.js';
import { createMetrics } from '../observability/metrics.js';
import { openPostgresStorage } from '../storage/postgres/index.js';
import type { Storage } from '../storage/ports.js';
import { openSqliteStorage } from '../storage/sqlite/index.js';
import { createTempDir, createTempPostgresDatabase } from './temp-resources.js';

/** The HTTP API with the automation routes, over fresh real storage and the real ingest pipeline. */
export interface AutomationApiHarness {
  app: FastifyInstance;
  storage: Storage;
  services: AutomationServices;
  pipeline: IngestPipeline;
  /** The data directory (SQLite file, `secret.key`). */
  dataDir: string;
  /** Every change the automations service announced, in order. */
  changes: AutomationChange[];
  logLines: string[];
  clock: { now: number };
  /** `app.inject` with the harness's API key. */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Stored events with this name, oldest first. */
  eventsNamed(name: string): Promise<ReceivedEvent[]>;
  close(): Promise<void>;
}

/**
 * Starts the API with `automationApi` over a SQLite file (or a new PostgreSQL database), with an API
 * key required, and a clock the test moves.
 *
 * @example
 * const h = await startAutomationApiHarness();
 * const res = await h.request({ method: 'POST', url: '/api/automations/', payload: body });
 * await h.close();
 */
export async function startAutomationApiHarness(
  options: { dialect?: 'sqlite' | 'postgres'; now?: number } = {},
): Promise<AutomationApiHarness> {
  const dir = createTempDir('herald-automations-api-');
  const database = options.dialect === 'postgres' ? await createTempPostgresDatabase('herald_automations_api') : null;
  const storage = database
    ? await openPostgresStorage({ url: database.url, maxConnections: 4 })
    : await openSqliteStorage({ dataDir: dir.path });
  const logLines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const metrics = createMetrics(() => storage.events.sizeBytes());
  const clock = { now: options.now ?? toMicros(Date.now()) };
  const now = () => clock.now;
  const pipeline = createIngestPipeline({
    store: storage.events,
    bus: createInMemoryEventBus(),
    limits: DEFAULT_EVENT_LIMITS,
    commitMaxEvents: 5000,
    metrics,
    logger,
    now,
  });
  const services = createAutomationServices({
    storage,
    ingest: pipeline,
    logger,
    now,
    secrets: { key: randomBytes(32), dataDir: dir.path, shared: database !== null },
  });
  const changes: AutomationChange[] = [];
  services.automations.onChange((change) => changes.push(change));
  const app = createHttpApi({
    ingest: pipeline,
    events: storage.events,
    auth: createApiKeyAuthenticator({ store: storage.keys, cacheMs: 0 }),
    metrics,
    logger,
    now,
    version: '0.1.0',
    limits: { maxBodyBytes: 10_000_000, maxPageSize: 200 },
    automationApi: services.api,
  });
  await app.ready();
  const { key } = await createApiKey(storage.keys, { name: 'test' });
  return {
    app,
    storage,
    services,
    pipeline,
    dataDir: dir.path,
    changes,
    logLines,
    clock,
    request: (request) => app.inject({ ...request, headers: { authorization: `Bearer ${key}`, ...request.headers } }),
    async eventsNamed(name) {
      const events: ReceivedEvent[] = [];
      for (let seq = 0; ;) {
        const rows = await storage.events.readLog(seq, 500);
        if (rows.length === 0) return events;
        for (const row of rows) {
          const event = JSON.parse(row.json) as ReceivedEvent;
          if (event.event === name) events.push(event);
        }
        seq = rows.at(-1)!.seq;
      }
    },
    async close() {
      await app.close();
      await pipeline.close();
      await storage.close();
      await database?.drop();
      dir.remove();
    },
  };
}
