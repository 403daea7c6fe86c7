import { HeraldError, parseEventFilter } from '@herald/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodePageToken } from '../domain/page-token.js';
import type { RequestIssue } from './error-response.js';
import type { HttpApiDeps } from './http-api.js';
import { errorResponses, eventFilterSchema, eventPageSchema } from './openapi-schemas.js';
import { readEventPage } from './read-event-page.js';
import { readBodyObject, readInteger, requestIssue } from './request-fields.js';

/** Prefect's default page size (`INTERACTIVE_PAGE_SIZE`). */
const DEFAULT_PAGE_SIZE = 50;

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host || 'localhost'}`;
}

/**
 * `POST /api/events/filter` (first page) and `GET /api/events/filter/next` (later pages), spec §2.2–2.3,
 * with Herald's keyset pages (DECISIONS 6, 7).
 *
 * @example
 * registerQueryRoutes(app, deps);
 */
export function registerQueryRoutes(app: FastifyInstance, deps: HttpApiDeps): void {
  const { events, limits } = deps;

  app.post(
    '/api/events/filter',
    {
      config: { prefectShapes: true },
      schema: {
        operationId: 'read_events_events_filter_post',
        summary: 'Read the first page of matching events',
        tags: ['events'],
        querystring: {
          type: 'object',
          properties: {
            count: {
              type: 'boolean',
              default: true,
              description: 'Herald only: `false` skips counting the matching events (`total` is then null), so a page over a broad filter answers at once.',
            },
          },
        },
        body: {
          type: 'object',
          properties: {
            filter: { anyOf: [{ type: 'null' }, eventFilterSchema] },
            limit: { type: 'integer', minimum: 0, maximum: limits.maxPageSize, default: DEFAULT_PAGE_SIZE },
          },
        },
        response: { 200: eventPageSchema, ...errorResponses(401, 422) },
      },
    },
    async (request, reply) => {
      const issues: RequestIssue[] = [];
      const countParam = (request.query as Record<string, unknown>).count;
      if (countParam !== undefined && countParam !== 'true' && countParam !== 'false') {
        issues.push(requestIssue('query', ['count'], 'bool_parsing', 'count must be true or false'));
      }
      const body = readBodyObject(request.body, issues);
      const limit = readInteger(body, 'limit', { min: 0, max: limits.maxPageSize, fallback: DEFAULT_PAGE_SIZE }, issues);
      const parsed = parseEventFilter(body.filter, { now: deps.now(), missingUntil: 'now', basePath: ['filter'] });
      if (!parsed.ok) issues.push(...parsed.issues);
      if (!parsed.ok || issues.length > 0) {
        const code = issues.every((i) => i.path[0] === 'filter') ? 'FILTER_INVALID' : 'QUERY_INVALID';
        throw new HeraldError(code, { details: { issues } });
      }
      const total = countParam === 'false' ? null : await events.count(parsed.filter);
      const page = await readEventPage(events, {
        filter: parsed.filter,
        materialized: parsed.materialized,
        total,
        pageSize: limit,
        origin: originOf(request),
      });
      return reply.type('application/json; charset=utf-8').send(page);
    },
  );

  app.get(
    '/api/events/filter/next',
    {
      config: { prefectShapes: true },
      schema: {
        operationId: 'read_account_events_page_events_filter_next_get',
        summary: 'Read the next page of a query',
        tags: ['events'],
        querystring: { type: 'object', required: ['page-token'], properties: { 'page-token': { type: 'string' } } },
        response: { 200: eventPageSchema, ...errorResponses(401, 403, 422) },
      },
    },
    async (request, reply) => {
      const token = (request.query as Record<string, unknown>)['page-token'];
      if (token === undefined) {
        throw new HeraldError('QUERY_INVALID', {
          details: { issues: [requestIssue('query', ['page-token'], 'missing', 'Field required')] },
        });
      }
      const state = typeof token === 'string' ? decodePageToken(token, limits.maxPageSize) : null;
      // The filter was valid when the token was made; one that no longer parses was tampered with.
      const parsed = state ? parseEventFilter(state.filter, { now: deps.now(), missingUntil: 'now' }) : null;
      if (!state || !parsed?.ok) throw new HeraldError('PAGE_TOKEN_INVALID');
      const page = await readEventPage(events, {
        filter: parsed.filter,
        materialized: parsed.materialized,
        total: state.count < 0 ? null : state.count,
        pageSize: state.page_size,
        after: state.after,
        origin: originOf(request),
      });
      return reply.type('application/json; charset=utf-8').send(page);
    },
  );
}
