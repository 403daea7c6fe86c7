import type { FastifyInstance } from 'fastify';
import type { HttpApiDeps } from './http-api.js';
import { errorResponses, eventSchema } from './openapi-schemas.js';

/**
 * `POST /api/events` (spec §2.1): a JSON array of events, all-or-nothing, answered 204 only after the
 * batch is committed (DECISIONS 1). A 422 lists every problem with its JSON pointer and event id.
 *
 * @example
 * registerIngestRoutes(app, deps);
 */
export function registerIngestRoutes(app: FastifyInstance, deps: HttpApiDeps): void {
  app.post(
    '/api/events',
    {
      config: { prefectShapes: true },
      schema: {
        operationId: 'create_events_events_post',
        summary: 'Ingest a batch of events',
        description: 'Answers 204 once every event is durably stored. One invalid event refuses the whole batch.',
        tags: ['events'],
        body: { type: 'array', items: eventSchema },
        response: { 204: { type: 'null', description: 'Stored.' }, ...errorResponses(400, 401, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      await deps.ingest.ingestBatch(request.body);
      deps.metrics.ingestLatency.observe({ route: 'http' }, reply.elapsedTime / 1000);
      return reply.code(204).send();
    },
  );
}
