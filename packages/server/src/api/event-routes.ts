import { HeraldError, isUuid, normalizeUuid } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import type { HttpApiDeps } from './http-api.js';
import { errorResponses, receivedEventSchema } from './openapi-schemas.js';
import { requestIssue } from './request-fields.js';

/**
 * `GET /api/events/{id}`: one stored event, byte for byte. A Herald-native route, so its errors use
 * Herald's body only.
 *
 * @example
 * registerEventRoutes(app, deps);
 */
export function registerEventRoutes(app: FastifyInstance, deps: HttpApiDeps): void {
  app.get(
    '/api/events/:id',
    {
      schema: {
        operationId: 'read_event',
        summary: 'Read one event by id',
        tags: ['events'],
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
        response: { 200: receivedEventSchema, ...errorResponses(401, 404, 422) },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) {
        throw new HeraldError('QUERY_INVALID', {
          message: 'The event id must be a UUID.',
          details: { issues: [requestIssue('path', ['id'], 'uuid_parsing', 'Input should be a valid UUID')] },
        });
      }
      const stored = await deps.events.get(normalizeUuid(id));
      if (!stored) throw new HeraldError('EVENT_NOT_FOUND', { details: { id } });
      return reply.type('application/json; charset=utf-8').send(stored.json);
    },
  );
}
