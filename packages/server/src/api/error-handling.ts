import { HeraldError } from '@herald/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponse, type FailedRequest } from './error-response.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route mirrors Prefect's API: its errors carry Prefect's fields too (see `errorResponse`). */
    prefectShapes?: boolean;
  }
}

function describe(request: FastifyRequest): FailedRequest {
  const length = Number(request.headers['content-length']);
  return {
    prefectShapes: request.routeOptions.config?.prefectShapes === true,
    body: request.body,
    query: request.query,
    params: request.params,
    contentLength: Number.isFinite(length) ? length : undefined,
  };
}

/** Sends the structured response for any error, logging the unexpected ones in full. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, unexpected } = errorResponse(error, describe(request));
  if (unexpected) request.log.error({ err: error }, 'request failed');
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="herald"');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Installs the one error handler and the 404 handler. Every error becomes a structured body with a
 * catalogue code; nothing but a bug gives a 500.
 *
 * @example
 * const app = Fastify({ frameworkErrors: handleFrameworkError });
 * installErrorHandling(app);
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendError(new HeraldError('ROUTE_NOT_FOUND'), request, reply));
}

/** Fastify's `frameworkErrors` option: errors raised before routing (a malformed URL) get the same treatment. */
export function handleFrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  sendError(error, request, reply);
}
