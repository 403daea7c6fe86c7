import { HeraldError, isUuid, normalizeUuid, type ValidationIssue } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import type { ConnectionService } from '../connections/connection-service.js';
import { connectionCreateSchema, connectionPatchSchema, connectionSchema } from './automation-api-schemas.js';
import { errorResponses } from './openapi-schemas.js';

const idParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } };

function connectionId(params: unknown): string {
  const { id } = params as { id: string };
  if (!isUuid(id)) throw new HeraldError('CONNECTION_NOT_FOUND', { details: { id } });
  return normalizeUuid(id);
}

/** Issues carry paths and reasons only, never the values sent: those may be secrets. */
function invalid(issues: ValidationIssue[]): HeraldError {
  return new HeraldError('CONNECTION_INVALID', { details: { issues } });
}

/**
 * `/api/connections`: create (201), list, read, patch and delete (204) the targets actions send to.
 * Herald-native routes (Herald's error body). Secrets are write-only: responses carry only their names.
 *
 * @example
 * registerConnectionRoutes(app, { connections });
 */
export function registerConnectionRoutes(app: FastifyInstance, deps: { connections: ConnectionService }): void {
  const { connections } = deps;
  const tags = ['connections'];

  for (const url of ['/api/connections', '/api/connections/']) {
    app.post(
      url,
      {
        schema: {
          operationId: url.endsWith('/') ? 'create_connection_slash' : 'create_connection',
          summary: 'Create a connection',
          tags,
          ...(url.endsWith('/') ? { hide: true } : {}),
          body: connectionCreateSchema,
          response: { 201: connectionSchema, ...errorResponses(401, 415, 422) },
        },
      },
      async (request, reply) => {
        const result = await connections.create(request.body);
        if (!result.ok) throw invalid(result.issues);
        return reply.code(201).send(result.connection);
      },
    );
    app.get(
      url,
      {
        schema: {
          operationId: url.endsWith('/') ? 'list_connections_slash' : 'list_connections',
          summary: 'List connections',
          tags,
          ...(url.endsWith('/') ? { hide: true } : {}),
          response: { 200: { type: 'array', items: connectionSchema }, ...errorResponses(401) },
        },
      },
      async () => connections.list(),
    );
  }

  app.get(
    '/api/connections/:id',
    {
      schema: {
        operationId: 'read_connection',
        summary: 'Read a connection',
        tags,
        params: idParams,
        response: { 200: connectionSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const id = connectionId(request.params);
      const connection = await connections.get(id);
      if (!connection) throw new HeraldError('CONNECTION_NOT_FOUND', { details: { id } });
      return connection;
    },
  );

  app.patch(
    '/api/connections/:id',
    {
      schema: {
        operationId: 'update_connection',
        summary: 'Change a connection',
        description: '`settings` replace the stored ones; `secrets` are merged (null removes one). The kind cannot change.',
        tags,
        params: idParams,
        body: connectionPatchSchema,
        response: { 200: connectionSchema, ...errorResponses(401, 404, 415, 422) },
      },
    },
    async (request) => {
      const id = connectionId(request.params);
      const result = await connections.update(id, request.body);
      if (result === null) throw new HeraldError('CONNECTION_NOT_FOUND', { details: { id } });
      if (!result.ok) throw invalid(result.issues);
      return result.connection;
    },
  );

  app.delete(
    '/api/connections/:id',
    {
      schema: {
        operationId: 'delete_connection',
        summary: 'Delete a connection',
        description: 'Actions that still name it fail with "the connection does not exist".',
        tags,
        params: idParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const id = connectionId(request.params);
      if (!(await connections.delete(id))) throw new HeraldError('CONNECTION_NOT_FOUND', { details: { id } });
      return reply.code(204).send();
    },
  );
}
