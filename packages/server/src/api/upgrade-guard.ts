import { HeraldError } from '@herald/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Tells websocket upgrades to websocket routes from everything else. */
export interface UpgradeRequests {
  /** True for an upgrade request whose route was declared with `websocket: true`, in any plugin. */
  isWebsocketUpgrade(request: FastifyRequest): boolean;
}

function isUpgrade(request: FastifyRequest): boolean {
  // Node sets `upgrade` only when an upgrade listener (the websocket plugin) has taken the request.
  return (request.raw as { upgrade?: boolean }).upgrade === true;
}

/**
 * Refuses upgrade requests aimed at plain routes with 404, and closes their sockets afterwards.
 * `@fastify/websocket` only wraps the routes of its own plugin scope: without this guard a plain
 * handler elsewhere would answer an upgrade, and the socket, which Node no longer manages, would stay
 * open after the response.
 *
 * @example
 * const upgrades = installUpgradeGuard(app); // before the routes are registered
 * if (upgrades.isWebsocketUpgrade(request)) …
 */
export function installUpgradeGuard(app: FastifyInstance): UpgradeRequests {
  const websocketRoutes = new Set<string>();
  app.addHook('onRoute', (route) => {
    if ((route as { websocket?: unknown }).websocket === true) websocketRoutes.add(route.url);
  });
  const isWebsocketUpgrade = (request: FastifyRequest): boolean =>
    isUpgrade(request) && request.routeOptions.url !== undefined && websocketRoutes.has(request.routeOptions.url);
  const isStray = (request: FastifyRequest): boolean => isUpgrade(request) && !isWebsocketUpgrade(request);

  app.addHook('onRequest', async (request) => {
    if (isStray(request)) throw new HeraldError('ROUTE_NOT_FOUND', { message: 'Only websocket routes accept an upgrade request.' });
  });
  app.addHook('onResponse', async (request) => {
    if (isStray(request)) request.raw.socket.destroy();
  });
  return { isWebsocketUpgrade };
}
