import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyStore } from '../storage/ports.js';

const KEY_PREFIX = 'hk_';

/** SHA-256 of a key, in hex: what is stored. API keys carry 192 random bits, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Creates a key, stores only its hash, and returns the plain key — the one time it is ever visible.
 *
 * @example
 * const { key } = await createApiKey(storage.keys, { name: 'ci' });
 */
export async function createApiKey(store: ApiKeyStore, options: { name: string; now?: Date }): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = KEY_PREFIX + randomBytes(24).toString('base64url');
  const record: ApiKeyRecord = {
    id: randomUUID(),
    name: options.name,
    prefix: key.slice(0, 7),
    hash: hashApiKey(key),
    created: (options.now ?? new Date()).toISOString(),
    lastUsed: null,
    revoked: null,
  };
  await store.insertKey(record);
  return { key, record };
}

/** Every key, active and revoked, without any secret. */
export function listApiKeys(store: ApiKeyStore): Promise<ApiKeyRecord[]> {
  return store.listKeys();
}

/** Revokes a key by id. Returns false when no active key has that id. */
export function revokeApiKey(store: ApiKeyStore, id: string, now: Date = new Date()): Promise<boolean> {
  return store.revokeKey(id, now.toISOString());
}
