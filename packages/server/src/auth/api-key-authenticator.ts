import type { ApiKeyStore } from '../storage/ports.js';
import { hashApiKey } from './api-keys.js';
import type { AuthResult, Authenticator } from './authenticator.js';

export interface ApiKeyAuthenticatorOptions {
  store: ApiKeyStore;
  /** How long the key list is cached; keys created by the CLI take effect within this time. */
  cacheMs?: number;
  nowMs?: () => number;
}

/**
 * Checks Bearer keys (and Prefect's Basic form, whose decoded value is the key, or `user:key`) against
 * the stored hashes. The set of active keys is cached briefly so that checks cost no query.
 *
 * @example
 * const auth = createApiKeyAuthenticator({ store: storage.keys });
 * await auth.checkHeader('Bearer hk_…') // { ok: true, key }
 */
export function createApiKeyAuthenticator(options: ApiKeyAuthenticatorOptions): Authenticator {
  const cacheMs = options.cacheMs ?? 2000;
  const nowMs = options.nowMs ?? Date.now;
  let cache: { at: number; byHash: Map<string, import('../storage/ports.js').ApiKeyRecord> } | null = null;
  const touched = new Map<string, number>();

  async function activeKeys() {
    if (cache && nowMs() - cache.at < cacheMs) return cache.byHash;
    const keys = await options.store.listKeys();
    cache = { at: nowMs(), byHash: new Map(keys.filter((k) => k.revoked === null).map((k) => [k.hash, k])) };
    return cache.byHash;
  }

  async function checkToken(token: string | null | undefined): Promise<AuthResult> {
    const keys = await activeKeys();
    if (keys.size === 0) return { ok: true, key: null };
    if (!token) return { ok: false, code: 'AUTH_REQUIRED' };
    const key = keys.get(hashApiKey(token));
    if (!key) return { ok: false, code: 'AUTH_INVALID' };
    // Record use at most once a minute per key, off the request's path.
    const last = touched.get(key.id) ?? 0;
    if (nowMs() - last > 60_000) {
      touched.set(key.id, nowMs());
      options.store.touchKey(key.id, new Date(nowMs()).toISOString()).catch(() => touched.delete(key.id));
    }
    return { ok: true, key };
  }

  return {
    checkToken,
    async checkHeader(header) {
      if (!header) return checkToken(null);
      const [scheme = '', ...rest] = header.trim().split(/\s+/);
      const value = rest.join(' ');
      if (/^bearer$/i.test(scheme)) return checkToken(value);
      if (/^basic$/i.test(scheme)) {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        return checkToken(colon >= 0 ? decoded.slice(colon + 1) : decoded);
      }
      return checkToken(header.trim());
    },
    async isRequired() {
      return (await activeKeys()).size > 0;
    },
  };
}
