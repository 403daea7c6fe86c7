import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifySchemaCompiler } from 'fastify';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import type { IngestService } from '../ingestion/ingest-service.js';
import type { HeraldMetrics } from '../observability/metrics.js';
import type { EventStore } from '../storage/ports.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerAutomationApi, type AutomationApiDeps } from './automation-api.js';
import { installAuthHook } from './auth-hook.js';
import { registerCountRoutes } from './count-routes.js';
import { handleFrameworkError, installErrorHandling } from './error-handling.js';
import { registerEventRoutes } from './event-routes.js';
import { registerIngestRoutes } from './ingest-routes.js';
import { installJsonBodyParser } from './json-body-parser.js';
import { registerOpenApi } from './openapi.js';
import { registerQueryRoutes } from './query-routes.js';
import { installUpgradeGuard } from './upgrade-guard.js';

export interface HttpApiDeps {
  ingest: IngestService;
  events: EventStore;
  auth: Authenticator;
  metrics: HeraldMetrics;
  logger: Logger;
  /** Current time in µs (injected for tests). */
  now: () => number;
  /** Herald's version; `/api/admin/version` reports it as a local label of Prefect's API version. */
  version: string;
  limits: {
    /** Largest request body, in bytes; larger bodies get 413. */
    maxBodyBytes: number;
    /** Largest `limit` of `POST /api/events/filter` (DECISIONS 6: 200). */
    maxPageSize: number;
  };
  /** Adds more routes (websockets, the UI) in their own encapsulated plugin, after the API's. */
  registerExtraRoutes?: (app: FastifyInstance) => Promise<void> | void;
  /** Automations, templates and connections (issue 3); their routes are registered when given. */
  automationApi?: AutomationApiDeps;
}

/** Log paths that may hold credentials; pino replaces them before a line is written. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.authorization',
  'req.headers.cookie',
  'headers.cookie',
];

/** Route schemas are documentation: handlers validate with core's validators, which know Herald's and Prefect's error shapes. */
const documentationOnly: FastifySchemaCompiler<unknown> = () => () => true;

/**
 * Builds Herald's HTTP server: the events API (Prefect-compatible), admin routes, metrics and OpenAPI
 * docs, with one error handler and API-key auth on `/api/*`. A factory rather than a plugin, because it
 * owns server-wide settings a plugin cannot set: the body limit, the logger, framework errors and the
 * content-type parsers. Call `listen()` or `ready()` on the result.
 *
 * @example
 * const app = createHttpApi({ ingest, events: storage.events, auth, metrics, logger, now, version: '0.1.0',
 *   limits: { maxBodyBytes: 10_000_000, maxPageSize: 200 } });
 * await app.listen({ host: '127.0.0.1', port: 4200 });
 */
export function createHttpApi(deps: HttpApiDeps): FastifyInstance {
  // Widened to Fastify's logger interface, so that the instance is a plain `FastifyInstance`.
  const logger: FastifyBaseLogger = deps.logger.child({}, { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
  // Fastify logs two lines per request at `info`, which costs a fifth of ingest throughput; requests are
  // logged once, at `debug`, and errors by the error handler.
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: deps.limits.maxBodyBytes,
    frameworkErrors: handleFrameworkError,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, url: request.url, statusCode: reply.statusCode, ms: reply.elapsedTime },
      'request completed',
    );
  });

  installJsonBodyParser(app);
  installErrorHandling(app);
  // The guard's hook runs first: an upgrade aimed at a plain route is refused whatever its credentials.
  const upgrades = installUpgradeGuard(app);
  installAuthHook(app, deps.auth, upgrades);
  registerOpenApi(app, deps.version);

  void app.register(async (api) => {
    api.setValidatorCompiler(documentationOnly);
    api.setSerializerCompiler(() => (data) => JSON.stringify(data));
    registerIngestRoutes(api, deps);
    registerQueryRoutes(api, deps);
    registerCountRoutes(api, deps);
    registerEventRoutes(api, deps);
    registerAdminRoutes(api, deps);
    if (deps.automationApi) registerAutomationApi(api, deps.automationApi);
  });

  const extra = deps.registerExtraRoutes;
  if (extra) void app.register(async (instance) => extra(instance));
  return app;
}
