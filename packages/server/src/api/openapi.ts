import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { eventFilterSchema, eventSchema, heraldErrorSchema, receivedEventSchema } from './openapi-schemas.js';

/**
 * Registers the OpenAPI 3.1 document, served at `GET /api/openapi.json`, and interactive docs at
 * `/docs`. Must be registered before the routes it describes (it collects them as they are added).
 *
 * @example
 * registerOpenApi(app, '0.1.0');
 * app.register(routes);
 */
export function registerOpenApi(app: FastifyInstance, version: string): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald',
        version,
        description: "Herald's HTTP API. The `/api/events` routes are wire-compatible with Prefect's events API.",
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer hk_…`.' },
          basic: { type: 'http', scheme: 'basic', description: "Prefect's form: `Authorization: Basic base64(<key>)`." },
        },
        schemas: { Event: eventSchema, ReceivedEvent: receivedEventSchema, EventFilter: eventFilterSchema, Error: heraldErrorSchema },
      },
      security: [{ bearer: [] }, { basic: [] }],
      tags: [
        { name: 'events', description: 'Ingest, query and count events.' },
        { name: 'automations', description: 'Automations (Prefect-compatible) and template validation.' },
        { name: 'connections', description: 'Targets of notifications and webhooks; their secrets are write-only.' },
        { name: 'admin', description: 'Version, health and metrics.' },
      ],
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
