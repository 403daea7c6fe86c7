import { createEventValidator, type EventLimits } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { hookEndpointRoutes } from '../api/hook-endpoint-route.js';
import { webhookRoutes } from '../api/webhook-routes.js';
import type { HeraldConfig } from '../config/config.js';
import { validateTemplate } from '../domain/templates/index.js';
import type { IngestService } from '../ingestion/ingest-service.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { WebhookStore } from '../storage/ports.js';
import { CaptureRing } from './capture-ring.js';
import { createInterpreterPool } from './interpreter-pool.js';
import type { RateLimiter } from './rate-limiter.js';
import { WebhookEndpoint } from './webhook-endpoint.js';
import { WebhookProcessor } from './webhook-processor.js';
import { WebhookService } from './webhook-service.js';
import { renderWebhookTemplate } from './webhook-template-render.js';

export interface WebhooksOptions {
  store: WebhookStore;
  ingest: IngestService;
  secrets: SecretBox;
  config: HeraldConfig['webhooks'];
  /** The ingest limits, so that previews judge events as ingest will. */
  limits: EventLimits;
  logger: Logger;
  /** Current time in µs. */
  now: () => number;
  /** Webhook rate limits: in memory, or shared by replicas (see `open-replica-services.ts`). */
  limiter: RateLimiter;
}

/** Webhooks, wired: the management service, the public endpoint, their routes, and shutdown. */
export interface Webhooks {
  service: WebhookService;
  /** Registers `/api/webhooks…` and `/hooks/{slug}`, each in its own encapsulated plugin. */
  register(app: FastifyInstance): Promise<void>;
  /** Stops the interpreter threads and writes the captures still waiting. Call after the HTTP server closed, before storage closes. */
  close(): Promise<void>;
}

/**
 * Builds the webhook feature over a store and the ingest pipeline.
 *
 * @example
 * const webhooks = createWebhooks({ store: storage.webhooks, ingest, secrets, config: config.webhooks, limits: config.ingestion, logger, now, limiter: replicas.rateLimiter });
 * await webhooks.register(app);
 */
export function createWebhooks(options: WebhooksOptions): Webhooks {
  const { config, logger, now, limiter } = options;
  const captures = new CaptureRing({ store: options.store, size: config.captureSize, maxBodyBytes: config.captureMaxBodyBytes, logger });
  const interpreter = createInterpreterPool({ threads: config.threads, render: renderWebhookTemplate, logger });
  const processor = new WebhookProcessor({
    ingest: options.ingest,
    validator: createEventValidator(options.limits),
    render: renderWebhookTemplate,
    interpreter,
    logger,
  });
  const service = new WebhookService({
    store: options.store,
    processor,
    captures,
    limiter,
    secrets: options.secrets,
    validateTemplate,
    defaultRateLimit: config.defaultRateLimit,
    now,
    logger,
  });
  const endpoint = new WebhookEndpoint({ processor, captures });
  return {
    service,
    async register(app) {
      await app.register(webhookRoutes({ service, captureSize: config.captureSize }));
      await app.register(hookEndpointRoutes({ service, endpoint, limiter, maxBodyBytes: config.maxBodyBytes, now, logger }));
    },
    async close() {
      await interpreter.close();
      await captures.flush();
    },
  };
}
