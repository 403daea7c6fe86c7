import { HeraldError } from '@herald/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import type { UpgradeRequests } from './upgrade-guard.js';

/** Paths under `/api` that answer without credentials: load balancers probe health unauthenticated. */
const PUBLIC_API_PATHS = new Set(['/api/health']);

/**
 * Requires credentials on every `/api/*` route except `/api/health`, before the body is read. A failure
 * is a 401 whose body carries Prefect's `exception_message: "Unauthorized"` and Herald's `code`.
 * Websocket upgrades pass: those routes authenticate inside their protocol (spec §4.1).
 *
 * @example
 * installAuthHook(app, createApiKeyAuthenticator({ store: storage.keys }), installUpgradeGuard(app));
 */
export function installAuthHook(app: FastifyInstance, auth: Authenticator, upgrades: UpgradeRequests): void {
  function needsAuth(request: FastifyRequest): boolean {
    if (upgrades.isWebsocketUpgrade(request)) return false;
    // The matched route's pattern when there is one, so that encoded variants of a path cannot slip by;
    // the raw path otherwise, so that unknown `/api/*` paths cannot be probed without a key.
    const path = request.routeOptions.url ?? request.url.split('?', 1)[0]!;
    if (PUBLIC_API_PATHS.has(path)) return false;
    return path === '/api' || path.startsWith('/api/');
  }

  app.addHook('onRequest', async (request) => {
    if (!needsAuth(request)) return;
    let result;
    try {
      result = await auth.checkHeader(request.headers.authorization);
    } catch (error) {
      // The authenticator's only I/O is the key store.
      throw error instanceof HeraldError ? error : new HeraldError('STORAGE_UNAVAILABLE', { cause: error });
    }
    if (!result.ok) throw new HeraldError(result.code);
  });
}
