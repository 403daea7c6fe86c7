import type { JsonValue } from '@herald/core';
import { SIGNATURE_HEADER } from './signature-verifiers.js';

/** An HTTP request to `/hooks/{slug}`, as the endpoint, replay and preview all see it. */
export interface InboundRequest {
  /** Upper case. */
  method: string;
  /** Names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The query string without its `?`. */
  query: string;
  /** The body exactly as received (empty when none). */
  body: Buffer;
  /** When Herald received it, µs since the epoch. */
  received: number;
}

/** What a webhook template reads: `method`, `headers`, `body`, `query` and `raw_body` (DECISIONS 19). */
export interface WebhookContextData {
  method: string;
  /** Lower-cased names, `Authorization` removed; the template layer makes lookups case-insensitive. */
  headers: Record<string, string>;
  /** Parsed JSON, a flat form mapping, or the raw text. */
  body: JsonValue;
  /** Each name maps to its value, or to the list of its values when repeated. */
  query: Record<string, string | string[]>;
  raw_body: string;
}

/**
 * Headers that carry credentials: never shown to a template, never captured in clear. The signature
 * presets' headers count: Herald checks them before rendering, and GitHub's signs no timestamp, so a
 * stored one would let whoever reads it replay its body for as long as the secret lasts. GitHub also
 * sends its older SHA-1 signature, `x-hub-signature`, beside the one Herald checks.
 */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-hub-signature',
  ...Object.values(SIGNATURE_HEADER),
]);

/**
 * The headers a template may read: every header except `Authorization` (spec A5), which would leak the
 * caller's credentials into events. Other credentials go too.
 *
 * @example
 * templateHeaders({ authorization: 'Bearer x', 'x-a': '1' }) // { 'x-a': '1' }
 */
export function templateHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!CREDENTIAL_HEADERS.has(name)) out[name] = value;
  return out;
}

/** The media type of a `Content-Type` value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * Groups `name=value` pairs into a mapping: a name seen once maps to its value, a repeated one to the
 * list of its values in order.
 *
 * @example
 * multiMap(new URLSearchParams('a=1&b=2&a=3')) // { a: ['1', '3'], b: '2' }
 */
export function multiMap(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of params) {
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  return { ...out };
}

/**
 * Parses a body the way spec A5 describes: JSON for `application/json` (and `+json` types), a flat
 * mapping for `application/x-www-form-urlencoded`, otherwise JSON when it parses, otherwise the text.
 * A parse failure never fails the request: the body falls back to its text.
 *
 * @example
 * parseBody('{"a":1}', 'text/plain') // { a: 1 }
 * parseBody('a=1&b=2', 'application/x-www-form-urlencoded') // { a: '1', b: '2' }
 */
export function parseBody(text: string, contentType: string | undefined): JsonValue {
  const type = mediaType(contentType);
  if (type === 'application/x-www-form-urlencoded') return multiMap(new URLSearchParams(text));
  if (text.trim() === '') return text;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/**
 * The template context data of a request.
 *
 * @example
 * const data = webhookContextData(request);
 * data.body.status // from a JSON body
 */
export function webhookContextData(request: InboundRequest): WebhookContextData {
  const rawBody = request.body.toString('utf8');
  return {
    method: request.method,
    headers: templateHeaders(request.headers),
    body: parseBody(rawBody, request.headers['content-type']),
    query: multiMap(new URLSearchParams(request.query)),
    raw_body: rawBody,
  };
}
