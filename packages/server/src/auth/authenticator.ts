import type { ApiKeyRecord } from '../storage/ports.js';

/** The outcome of checking a request's credentials. */
export type AuthResult = { ok: true; key: ApiKeyRecord | null } | { ok: false; code: 'AUTH_REQUIRED' | 'AUTH_INVALID' };

/**
 * Checks API keys. While no key exists, every request passes (Herald then serves loopback only).
 * Once a key exists, HTTP needs `Authorization: Bearer <key>` (or Prefect's `Basic base64(<key>)`),
 * and websockets need the key as the `token` of the auth message.
 */
export interface Authenticator {
  /** Checks an `Authorization` header value. */
  checkHeader(header: string | undefined): Promise<AuthResult>;
  /** Checks a websocket auth token. */
  checkToken(token: string | null | undefined): Promise<AuthResult>;
  /** True when at least one active key exists. */
  isRequired(): Promise<boolean>;
}
