import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashApiKey } from '../auth/api-keys.js';

const KEY_PREFIX = 'hwk_';

/**
 * A new slug: 128 random bits in base64url, 22 characters (spec A2). Clients cannot choose it.
 *
 * @example
 * newSlug() // 'AERylZ_uewzpDx-8fcweHQ'
 */
export function newSlug(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * A new webhook API key, its SHA-256 (what is stored) and a short prefix for listings. The key itself
 * is shown once.
 *
 * @example
 * const { key, hash, prefix } = newWebhookApiKey(); // 'hwk_…', 64 hex chars, 'hwk_3f9a'
 */
export function newWebhookApiKey(): { key: string; hash: string; prefix: string } {
  const key = KEY_PREFIX + randomBytes(24).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 8) };
}

/**
 * True when an `Authorization` header carries the key whose SHA-256 is `hash` (Bearer scheme). The
 * hashes are compared in constant time.
 *
 * @example
 * bearerMatches('Bearer hwk_…', record.apiKeyHash) // true
 */
export function bearerMatches(header: string | undefined, hash: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  return timingSafeEqual(Buffer.from(hashApiKey(m[1]!), 'hex'), Buffer.from(hash, 'hex'));
}
