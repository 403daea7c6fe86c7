import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookSignaturePreset } from '../storage/ports.js';

/** Why a signature was refused; `missing` when the caller sent none. */
export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch';

export type SignatureCheck = { ok: true } | { ok: false; failure: SignatureFailure };

export interface SignatureInput {
  preset: WebhookSignaturePreset;
  secret: string;
  /** Seconds a signed timestamp may be away from now (Standard Webhooks, Stripe). */
  toleranceSeconds: number;
  /** Request headers, names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received. */
  body: Buffer;
  /** Current time, seconds since the epoch. */
  nowSeconds: number;
}

/** The default timestamp tolerance of the schemes that sign one (both use five minutes). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** The header each preset reads its signature from; redacted like a credential (`inbound-request.ts`). */
export const SIGNATURE_HEADER: Record<WebhookSignaturePreset, string> = {
  'standard-webhooks': 'webhook-signature',
  github: 'x-hub-signature-256',
  stripe: 'stripe-signature',
};

/**
 * Checks a caller's signature over the raw body, before anything is parsed or rendered. Comparisons
 * are constant-time.
 *
 * - `standard-webhooks`: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (several,
 *   space-separated), keyed by the base64 part of a `whsec_…` secret; `webhook-timestamp` within tolerance.
 * - `github`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` keyed by the secret. No timestamp.
 * - `stripe`: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`; `t` within tolerance.
 *
 * @example
 * verifySignature({ preset: 'github', secret, toleranceSeconds: 0, headers, body, nowSeconds: Date.now() / 1000 });
 * // { ok: true }
 */
export function verifySignature(input: SignatureInput): SignatureCheck {
  switch (input.preset) {
    case 'standard-webhooks':
      return verifyStandardWebhooks(input);
    case 'github':
      return verifyGithub(input);
    case 'stripe':
      return verifyStripe(input);
    default: {
      const unreachable: never = input.preset;
      throw new TypeError(`unknown signature preset ${String(unreachable)}`);
    }
  }
}

/**
 * The HMAC key of a Standard Webhooks secret: the base64 after `whsec_`, or null when it is not base64.
 *
 * @example
 * standardWebhooksKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') // Buffer(24)
 */
export function standardWebhooksKey(secret: string): Buffer | null {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : null;
}

function hmac(key: string | Buffer, parts: readonly (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

function sameBytes(expected: Buffer, presented: Buffer): boolean {
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

function withinTolerance(timestamp: string, input: SignatureInput): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(input.nowSeconds - Number(timestamp)) <= input.toleranceSeconds;
}

function verifyStandardWebhooks(input: SignatureInput): SignatureCheck {
  const id = input.headers['webhook-id'];
  const timestamp = input.headers['webhook-timestamp'];
  const signatures = input.headers[SIGNATURE_HEADER['standard-webhooks']];
  if (id === undefined || timestamp === undefined || signatures === undefined) return { ok: false, failure: 'missing' };
  const key = standardWebhooksKey(input.secret);
  if (key === null || !/^\d{1,12}$/.test(timestamp)) return { ok: false, failure: 'malformed' };
  if (!withinTolerance(timestamp, input)) return { ok: false, failure: 'stale' };
  const expected = hmac(key, [`${id}.${timestamp}.`, input.body]);
  const candidates = signatures.split(' ').filter((s) => s.startsWith('v1,'));
  if (candidates.length === 0) return { ok: false, failure: 'malformed' };
  const match = candidates.some((c) => sameBytes(expected, Buffer.from(c.slice(3), 'base64')));
  return match ? { ok: true } : { ok: false, failure: 'mismatch' };
}

function verifyGithub(input: SignatureInput): SignatureCheck {
  const header = input.headers[SIGNATURE_HEADER.github];
  if (header === undefined) return { ok: false, failure: 'missing' };
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return { ok: false, failure: 'malformed' };
  return sameBytes(hmac(input.secret, [input.body]), Buffer.from(m[1]!, 'hex')) ? { ok: true } : { ok: false, failure: 'mismatch' };
}

function verifyStripe(input: SignatureInput): SignatureCheck {
  const header = input.headers[SIGNATURE_HEADER.stripe];
  if (header === undefined) return { ok: false, failure: 'missing' };
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    const name = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (name === 't') timestamp = value;
    else if (name === 'v1' && /^[0-9a-fA-F]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0 || !/^\d{1,12}$/.test(timestamp)) return { ok: false, failure: 'malformed' };
  if (!withinTolerance(timestamp, input)) return { ok: false, failure: 'stale' };
  const expected = hmac(input.secret, [`${timestamp}.`, input.body]);
  return signatures.some((s) => sameBytes(expected, s)) ? { ok: true } : { ok: false, failure: 'mismatch' };
}
