import { HeraldError } from '@herald/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { InboundRequest } from '../webhooks/inbound-request.js';
import type { RateLimiter } from '../webhooks/rate-limiter.js';
import type { WebhookEndpoint } from '../webhooks/webhook-endpoint.js';
import type { ActiveWebhook, WebhookService } from '../webhooks/webhook-service.js';

export interface HookEndpointDeps {
  service: WebhookService;
  endpoint: WebhookEndpoint;
  limiter: RateLimiter;
  /** Largest body accepted; larger ones get 413. */
  maxBodyBytes: number;
  /** Current time in µs. */
  now: () => number;
  logger: Logger;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The webhook `/hooks/{slug}` resolved to, set before the body is read. */
    heraldWebhook?: ActiveWebhook;
  }
}

const METHODS = ['GET', 'HEAD', 'DELETE', 'POST', 'PUT', 'PATCH', 'OPTIONS'] as const;

function headersOf(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/** Empty answers with a status only: the endpoint tells a caller nothing more (spec A4, DECISIONS 19). */
function bare(reply: FastifyReply, status: number): FastifyReply {
  return reply.code(status).send();
}

/**
 * The public endpoint `/hooks/{slug}` (GET, HEAD, DELETE, POST, PUT, PATCH, and OPTIONS for the
 * CloudEvents validation handshake). It needs no Herald API key: it lies outside `/api`, which the
 * auth hook guards, and a webhook may require its own key. Before the body is read: an unknown or
 * disabled slug gets a bare 404, a declared body over the cap a 413 (a streamed one is cut off at the
 * cap, also 413), and a caller over the webhook's rate limit a 429 with `Retry-After`. Bodies are taken
 * raw, whatever their type, because signatures are computed over the exact bytes.
 *
 * @example
 * await app.register(hookEndpointRoutes({ service, endpoint, limiter, maxBodyBytes: 1 << 20, now, logger }));
 */
export function hookEndpointRoutes(deps: HookEndpointDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_request, body, done) => done(null, body));

    app.setErrorHandler((error, request, reply) => {
      const status = error instanceof HeraldError ? error.status : typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
      if (status === 413) return bare(reply, 413);
      if (status >= 500) {
        if (!(error instanceof HeraldError)) deps.logger.error({ err: error }, 'webhook request failed');
        return bare(reply.header('retry-after', '1'), status === 500 ? 500 : 503);
      }
      return reply.code(400).type('text/plain; charset=utf-8').send('the request could not be read');
    });

    app.route<{ Params: { slug: string } }>({
      method: [...METHODS],
      url: '/hooks/:slug',
      exposeHeadRoute: false,
      schema: { hide: true },
      onRequest: async (request, reply) => {
        const active = await deps.service.resolveSlug(request.params.slug);
        if (active === null) return bare(reply, 404);
        // The cap first: a request that can never pass gets its lasting answer, and takes no token.
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > deps.maxBodyBytes) return bare(reply.header('connection', 'close'), 413);
        const decision = await deps.limiter.take(active.record.id, active.rateLimit);
        if (!decision.ok) return bare(reply.header('retry-after', String(decision.retryAfterSeconds)), 429);
        request.heraldWebhook = active;
        return undefined;
      },
      handler: async (request, reply) => {
        const active = request.heraldWebhook!;
        const inbound: InboundRequest = {
          method: request.method.toUpperCase(),
          headers: headersOf(request),
          query: queryOf(request.url),
          body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          received: deps.now(),
        };
        const response = await deps.endpoint.handle(active, inbound);
        switch (response.status) {
          case 204:
            return bare(reply, 204);
          case 200:
            reply.headers(response.headers);
            return response.json === undefined ? bare(reply, 200) : reply.code(200).send(response.json);
          case 400:
          case 401:
            return reply.code(response.status).headers(response.headers).type('text/plain; charset=utf-8').send(response.reason);
          default: {
            const unreachable: never = response;
            throw new Error(`unexpected endpoint response ${JSON.stringify(unreachable)}`);
          }
        }
      },
    });
  };
}
