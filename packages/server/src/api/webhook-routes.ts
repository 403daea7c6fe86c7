import { HeraldError, toMicros } from '@herald/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WebhookRecord } from '../storage/ports.js';
import type { InboundRequest } from '../webhooks/inbound-request.js';
import { WEBHOOK_TEMPLATE_PRESETS } from '../webhooks/webhook-interpreter.js';
import type { PreviewInput, WebhookFilter, WebhookService, WebhookWrite } from '../webhooks/webhook-service.js';

export interface WebhookRoutesDeps {
  service: WebhookService;
  /** Requests kept per webhook: the most `GET …/requests` returns. */
  captureSize: number;
}

/** A webhook as the API shows it: never a secret, and the API key only in the answer that issued it. */
export interface WebhookView {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  template: string;
  slug: string;
  endpoint: string;
  require_api_key: boolean;
  api_key_prefix: string | null;
  signature: { preset: string; tolerance_seconds: number; has_secret: true } | null;
  rate_limit: number | null;
  created: string;
  updated: string;
  api_key?: string;
}

/** The public URL of a webhook, from the address the client used. */
function endpointOf(request: FastifyRequest, slug: string): string {
  return `${request.protocol}://${request.host}/hooks/${slug}`;
}

function view(request: FastifyRequest, record: WebhookRecord, apiKey: string | null = null): WebhookView {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    enabled: record.enabled,
    template: record.template,
    slug: record.slug,
    endpoint: endpointOf(request, record.slug),
    require_api_key: record.apiKeyHash !== null,
    api_key_prefix: record.apiKeyPrefix,
    signature: record.signature === null ? null : { preset: record.signature.preset, tolerance_seconds: record.signature.toleranceSeconds, has_secret: true },
    rate_limit: record.rateLimit,
    created: record.created,
    updated: record.updated,
    ...(apiKey === null ? {} : { api_key: apiKey }),
  };
}

const written = (request: FastifyRequest, write: WebhookWrite) => view(request, write.webhook, write.apiKey);

function invalid(pointer: string, message: string): HeraldError {
  const path = pointer.split('/').slice(1);
  return new HeraldError('WEBHOOK_INVALID', { details: { issues: [{ pointer, path, type: 'value_error', message }] } });
}

/** `?name=a&name=b&enabled=true` → a filter. */
function queryFilter(query: Record<string, unknown>): WebhookFilter {
  const filter: WebhookFilter = {};
  const names = query.name;
  if (typeof names === 'string') filter.names = [names];
  else if (Array.isArray(names)) filter.names = names.filter((n): n is string => typeof n === 'string');
  if (query.enabled !== undefined) {
    if (query.enabled !== 'true' && query.enabled !== 'false') throw invalid('/enabled', 'enabled must be true or false');
    filter.enabled = query.enabled === 'true';
  }
  return filter;
}

/** Prefect's and Terraform's `{"webhooks": {"name": {"any_": [...]}}}` (plus `enabled: {eq_: bool}`) → a filter. */
function bodyFilter(body: unknown): WebhookFilter {
  const webhooks = (body as { webhooks?: { name?: { any_?: unknown }; enabled?: { eq_?: unknown } } } | null)?.webhooks;
  const filter: WebhookFilter = {};
  const names = webhooks?.name?.any_;
  if (names !== undefined && names !== null) {
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw invalid('/webhooks/name/any_', 'any_ must be a list of names');
    filter.names = names;
  }
  const enabled = webhooks?.enabled?.eq_;
  if (enabled !== undefined && enabled !== null) {
    if (typeof enabled !== 'boolean') throw invalid('/webhooks/enabled/eq_', 'eq_ must be true or false');
    filter.enabled = enabled;
  }
  return filter;
}

function limitOf(raw: unknown, max: number): number {
  if (raw === undefined) return max;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw invalid('/limit', 'limit must be a positive integer');
  return Math.min(n, max);
}

/** The request a preview supplies inline: `{method?, headers?, query?, body?}` (a non-string body is sent as its JSON). */
function inlineRequest(raw: unknown): InboundRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid('/request', 'request must be an object');
  const r = raw as { method?: unknown; headers?: unknown; query?: unknown; body?: unknown };
  const headers: Record<string, string> = {};
  if (r.headers !== undefined) {
    if (r.headers === null || typeof r.headers !== 'object' || Array.isArray(r.headers)) throw invalid('/request/headers', 'headers must be an object of strings');
    for (const [name, value] of Object.entries(r.headers)) {
      if (typeof value !== 'string') throw invalid(`/request/headers/${name}`, 'header values must be strings');
      headers[name.toLowerCase()] = value;
    }
  }
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  if (typeof r.body === 'object' && r.body !== null) headers['content-type'] ??= 'application/json';
  const method = typeof r.method === 'string' ? r.method.toUpperCase() : 'POST';
  const query = typeof r.query === 'string' ? r.query.replace(/^\?/, '') : '';
  return { method, headers, query, body: Buffer.from(body, 'utf8'), received: toMicros(Date.now()) };
}

function previewInput(body: unknown): PreviewInput {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('', 'the body must be a JSON object');
  const b = body as { template?: unknown; request_id?: unknown; request?: unknown };
  const input: PreviewInput = {};
  if (b.template !== undefined) {
    if (typeof b.template !== 'string') throw invalid('/template', 'template must be a string');
    input.template = b.template;
  }
  if (b.request_id !== undefined && b.request !== undefined) throw invalid('/request', 'give request_id or request, not both');
  if (b.request_id !== undefined) {
    if (typeof b.request_id !== 'string') throw invalid('/request_id', 'request_id must be a string');
    input.requestId = b.request_id;
  }
  if (b.request !== undefined) input.request = inlineRequest(b.request);
  return input;
}

/**
 * The management API of webhooks, under `/api/webhooks` (behind the API-key hook like all of `/api`),
 * with Herald-native error bodies. Besides Herald's REST shape it accepts the spec's calls: `POST
 * /api/webhooks/` and `POST /api/webhooks/filter`, `PUT` for a full update, `PATCH {"enabled": …}`.
 *
 * @example
 * await app.register(webhookRoutes({ service, captureSize: 50 }));
 */
export function webhookRoutes(deps: WebhookRoutesDeps): FastifyPluginAsync {
  const { service } = deps;
  return async (app: FastifyInstance) => {
    // Handlers read and check bodies themselves, to answer with pointers in Herald's error shape.
    app.setValidatorCompiler(() => () => true);
    const tags = ['webhooks'];

    const create = async (request: FastifyRequest) => written(request, await service.create(request.body));
    app.post('/api/webhooks', { schema: { summary: 'Create a webhook (201); the API key, when required, is in this answer only', tags } }, async (request, reply) =>
      reply.code(201).send(await create(request)),
    );
    app.post('/api/webhooks/', { schema: { hide: true } }, async (request, reply) => reply.code(201).send(await create(request)));

    app.get('/api/webhooks', { schema: { summary: 'List webhooks (?name=…&enabled=true|false)', tags } }, async (request) =>
      (await service.list(queryFilter(request.query as Record<string, unknown>))).map((w) => view(request, w)),
    );
    app.post('/api/webhooks/filter', { schema: { summary: 'List webhooks with the spec\'s filter body', tags } }, async (request) =>
      (await service.list(bodyFilter(request.body))).map((w) => view(request, w)),
    );
    app.get('/api/webhooks/presets', { schema: { summary: 'The template presets: static, dynamic and CloudEvent', tags } }, async () => WEBHOOK_TEMPLATE_PRESETS);

    app.get<{ Params: { id: string } }>('/api/webhooks/:id', { schema: { summary: 'Read a webhook', tags } }, async (request) =>
      view(request, await service.get(request.params.id)),
    );
    app.put<{ Params: { id: string } }>('/api/webhooks/:id', { schema: { summary: 'Replace a webhook\'s configuration', tags } }, async (request) =>
      written(request, await service.update(request.params.id, request.body, 'replace')),
    );
    app.patch<{ Params: { id: string } }>('/api/webhooks/:id', { schema: { summary: 'Change some fields, e.g. {"enabled": false}', tags } }, async (request) =>
      written(request, await service.update(request.params.id, request.body, 'patch')),
    );
    app.delete<{ Params: { id: string } }>('/api/webhooks/:id', { schema: { summary: 'Delete a webhook and its captured requests', tags } }, async (request, reply) => {
      await service.remove(request.params.id);
      return reply.code(204).send();
    });
    app.post<{ Params: { id: string } }>(
      '/api/webhooks/:id/rotate',
      { schema: { summary: 'New URL (the old one stops at once); {"api_key": true} also issues a new API key', tags } },
      async (request) => {
        const body = request.body as { api_key?: unknown } | undefined | null;
        if (body?.api_key !== undefined && typeof body.api_key !== 'boolean') throw invalid('/api_key', 'api_key must be true or false');
        return written(request, await service.rotate(request.params.id, { apiKey: body?.api_key === true }));
      },
    );
    app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
      '/api/webhooks/:id/requests',
      { schema: { summary: 'The last captured requests, newest first', tags } },
      async (request) => service.requests(request.params.id, limitOf(request.query.limit, Math.max(deps.captureSize, 1))),
    );
    app.post<{ Params: { id: string; rid: string } }>(
      '/api/webhooks/:id/requests/:rid/replay',
      { schema: { summary: 'Re-run a captured request through the current template; emits its events', tags } },
      async (request) => service.replay(request.params.id, request.params.rid),
    );
    app.post<{ Params: { id: string } }>(
      '/api/webhooks/:id/preview',
      { schema: { summary: 'Render against a captured (request_id) or supplied (request) request; emits nothing', tags } },
      async (request) => {
        const input = previewInput(request.body);
        if (input.request === undefined && input.requestId === undefined) {
          const [latest] = await service.requests(request.params.id, 1);
          if (latest === undefined) {
            throw new HeraldError('WEBHOOK_REQUEST_NOT_FOUND', {
              message: 'The webhook has captured no request yet: send it one, or give the preview a `request`.',
              details: { webhook_id: request.params.id },
            });
          }
          input.requestId = latest.id;
        }
        const result = await service.preview(request.params.id, input);
        return result.ok
          ? { ok: true, events: result.events, rendered: result.rendered }
          : { ok: false, reason: result.failure.reason, error: result.failure.error, rendered: result.rendered };
      },
    );
  };
}

