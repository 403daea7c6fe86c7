import { HeraldError, toMicros } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { registerAutomationTraceRoute } from './api/automation-trace-route.js';
import { createHttpApi } from './api/http-api.js';
import { websocketRoutes } from './api/websocket/websocket-routes.js';
import { createApiKeyAuthenticator } from './auth/api-key-authenticator.js';
import { createAutomationServices } from './automations/automation-wiring.js';
import { isLoopbackHost, loadConfig, redactUrl, type HeraldConfig, type HeraldConfigOverrides } from './config/config.js';
import { createIngestPipeline } from './ingestion/ingest-pipeline.js';
import { createMetrics } from './observability/metrics.js';
import { openStorage } from './storage/open-storage.js';
import { startRetention } from './storage/retention.js';
import { startTriggers, type Triggers } from './triggers/replica-triggers.js';
import { openReplicaServices, type ReplicaServices } from './replicas/open-replica-services.js';
import { registerStaticUi } from './ui/static-ui.js';
import { createWebhooks } from './webhooks/create-webhooks.js';

/** A running Herald server. */
export interface Herald {
  /** Base URL, e.g. `http://127.0.0.1:4200`. */
  url: string;
  config: HeraldConfig;
  http: FastifyInstance;
  logger: Logger;
  /** Stops accepting requests, commits every acknowledged event, and closes storage. */
  close(): Promise<void>;
}

export interface HeraldOptions extends HeraldConfigOverrides {
  /** Environment to read `HERALD_*` settings from (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** A logger to use instead of the default pino logger to stdout. */
  logger?: Logger;
}

/**
 * The composition root: loads the configuration, opens storage, wires ingestion, the bus, the HTTP and
 * websocket APIs, and listens.
 *
 * @example
 * const herald = await startHerald({ port: 0, dataDir: '/tmp/herald' });
 * console.log(herald.url);
 * await herald.close();
 */
export async function startHerald(options: HeraldOptions = {}): Promise<Herald> {
  const config = loadConfig(options, options.env);
  const logger =
    options.logger ??
    pino({ level: config.server.logLevel, redact: { paths: ['req.headers.authorization', '*.token', '*.apiKey', '*.key', '*.secrets', '*.secret'], censor: '[redacted]' } });
  const storage = await openStorage(config.storage, logger);
  const now = () => toMicros(Date.now());
  let triggers: Triggers | undefined;
  let replicas: ReplicaServices | undefined;
  try {
    const auth = createApiKeyAuthenticator({ store: storage.keys });
    if (!isLoopbackHost(config.server.host) && !(await auth.isRequired())) {
      throw new HeraldError('CONFIG_INVALID', {
        message: `Refusing to listen on ${config.server.host} without API keys: anyone who can reach it could read and write events. Create a key with \`herald keys create --name <name>\`, or bind 127.0.0.1.`,
      });
    }
    const metrics = createMetrics(() => storage.events.sizeBytes());
    replicas = await openReplicaServices(config.replicas, storage.events, logger);
    const { bus, rateLimiter, close: closeReplicas } = replicas;
    const ingest = createIngestPipeline({
      store: storage.events,
      bus,
      limits: config.ingestion,
      commitMaxEvents: config.ingestion.commitMaxEvents,
      // SQLite's writer thread commits batches in arrival order, so several may be in flight and the
      // bus still sees them in log order. PostgreSQL appends race for a lock, so one at a time.
      maxAppendsInFlight: storage.events.dialect === 'sqlite' ? 4 : 1,
      metrics,
      logger,
      now,
    });
    // Before the HTTP API: H6's trigger service reaches `automation.automations` and `automation.connections`.
    const automation = createAutomationServices({
      storage,
      ingest,
      logger,
      now,
      secrets: { key: config.secrets.key, dataDir: config.storage.dataDir, shared: storage.events.dialect === 'postgres' },
    });
    // Restores the engine and catches up from its checkpoint before the server takes events (with
    // replicas, on the one holding the trigger lease).
    triggers = await startTriggers({
      config,
      events: storage.events,
      bus,
      ingest,
      automations: automation.automations,
      connections: automation.connections,
      metrics,
      logger,
      now,
    });
    const automationTraces = triggers.traces;
    const webhooks = createWebhooks({
      store: storage.webhooks,
      ingest,
      secrets: automation.secretBox,
      config: config.webhooks,
      limits: config.ingestion,
      logger,
      now,
      limiter: rateLimiter,
    });
    const http = createHttpApi({
      automationApi: automation.api,
      ingest,
      events: storage.events,
      auth,
      metrics,
      logger,
      now,
      version: HERALD_VERSION,
      limits: { maxBodyBytes: config.server.maxBodyBytes, maxPageSize: config.server.maxPageSize },
      registerExtraRoutes: async (app) => {
        await app.register(websocketRoutes({ ingest, events: storage.events, bus, auth, metrics, logger, now, options: config.stream }));
        await webhooks.register(app);
        registerAutomationTraceRoute(app, { automations: automation.automations, traces: automationTraces });
        registerStaticUi(app);
      },
    });
    await listen(http, config.server.host, config.server.port);
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const retention = startRetention({ store: storage.events, retentionMicros: config.storage.retentionMicros, intervalMs: config.storage.retentionIntervalMs, logger, now });
    logger.info(
      {
        storage: config.storage.databaseUrl ? redactUrl(config.storage.databaseUrl) : config.storage.dataDir,
        ...(config.replicas.redisUrl ? { redis: redactUrl(config.replicas.redisUrl), evaluatingAutomations: triggers.evaluating } : {}),
      },
      'herald started',
    );
    let closed: Promise<void> | null = null;
    return {
      url: `http://${host}:${port}`,
      config,
      http,
      logger,
      close() {
        closed ??= (async () => {
          retention.stop();
          // Fastify closes idle keep-alive connections once, when closing starts; a connection whose
          // response completes afterwards would stay open until its keep-alive timeout (72 s). Sweep
          // them as they go idle so that close waits only for requests in flight.
          const sweeper = setInterval(() => http.server.closeIdleConnections(), 25);
          try {
            await http.close();
          } finally {
            clearInterval(sweeper);
          }
          await webhooks.close();
          // Running actions still emit events: the trigger runtime closes before ingest.
          await triggers?.close();
          await ingest.close();
          await closeReplicas();
          await storage.close();
        })();
        return closed;
      },
    };
  } catch (error) {
    await triggers?.close();
    await replicas?.close();
    await storage.close();
    throw error;
  }
}

/** Why a listen failed, in words that say what to do, for the errors a setting causes. */
const LISTEN_PROBLEMS: Record<string, (host: string, port: number) => string> = {
  EADDRINUSE: (host, port) => `${host}:${port} is already in use (another Herald, or another server); choose another port with --port or HERALD_PORT`,
  EACCES: (host, port) => `port ${port} needs privileges this process lacks; choose a port above 1023 with --port or HERALD_PORT`,
  EADDRNOTAVAIL: (host) => `${host} is not an address of this machine; choose another with --host or HERALD_HOST`,
};

async function listen(http: FastifyInstance, host: string, port: number): Promise<void> {
  try {
    await http.listen({ host, port });
  } catch (error) {
    const problem = LISTEN_PROBLEMS[(error as NodeJS.ErrnoException).code ?? ''];
    if (problem === undefined) throw error;
    throw new HeraldError('CONFIG_INVALID', { message: `Herald cannot listen: ${problem(host, port)}.`, cause: error });
  }
}

/** Herald's own version. */
export const HERALD_VERSION = '0.1.0';
