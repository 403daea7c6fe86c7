import { HeraldError } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import type { HttpApiDeps } from './http-api.js';
import { errorResponses } from './openapi-schemas.js';

/** The Prefect server version whose API Herald implements (spec revision of 2026-08-21). */
const PREFECT_API_VERSION = '3.6.1';

/**
 * The version string `GET /api/admin/version` answers: Prefect's API version with Herald's own as a
 * PEP 440 local label. Prefect's SDK parses it with `packaging.version` and only requires the same
 * major (3); a local label sorts above its public version, so SDKs up to 3.6.1 see no "older server"
 * warning. Characters PEP 440 does not allow in a local label become dots.
 *
 * @example
 * prefectCompatibleVersion('0.1.0') // '3.6.1+herald.0.1.0'
 * prefectCompatibleVersion('1.0.0-rc.2') // '3.6.1+herald.1.0.0.rc.2'
 */
export function prefectCompatibleVersion(heraldVersion: string): string {
  const local = heraldVersion
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
  return `${PREFECT_API_VERSION}+herald${local ? '.' + local : ''}`;
}

/**
 * `GET /api/admin/version` (Prefect's SDK checks it before opening websockets), `GET /api/health`
 * (no credentials; checks the store) and `GET /metrics` (Prometheus text).
 *
 * @example
 * registerAdminRoutes(app, deps);
 */
export function registerAdminRoutes(app: FastifyInstance, deps: HttpApiDeps): void {
  const version = JSON.stringify(prefectCompatibleVersion(deps.version));

  app.get(
    '/api/admin/version',
    {
      config: { prefectShapes: true },
      schema: {
        operationId: 'read_version_admin_version_get',
        summary: "Prefect's API version, with Herald's version as a local label",
        tags: ['admin'],
        response: { 200: { type: 'string', examples: [prefectCompatibleVersion('0.1.0')] }, ...errorResponses(401) },
      },
    },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(version),
  );

  app.get(
    '/api/health',
    {
      schema: {
        operationId: 'health',
        summary: 'Liveness and storage check; needs no credentials',
        tags: ['admin'],
        response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } }, ...errorResponses(503) },
      },
    },
    async () => {
      try {
        await deps.events.lastSeq();
      } catch (error) {
        throw error instanceof HeraldError ? error : new HeraldError('STORAGE_UNAVAILABLE', { cause: error });
      }
      return { status: 'ok' };
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
}
