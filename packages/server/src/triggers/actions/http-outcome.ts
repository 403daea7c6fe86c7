import type { JsonValue } from '@herald/core';
import type { SafeHttpFailure, SafeHttpResponse } from './safe-http.js';

const REDACTED_HEADERS = new Set(['authorization', 'traceparent', 'via']);
const REDACTED_PREFIXES = ['x-forwarded', 'x-b3', 'x-cloud-trace', 'x-envoy', 'x-prefect', 'x-herald'];

/**
 * Response headers safe to record in an event (spec 4.4): drops `authorization`, `traceparent`, `via`
 * and the proxy/tracing prefixes, case-insensitively.
 *
 * @example
 * redactResponseHeaders({ foo: 'bar', Authorization: 'x', 'X-Forwarded-For': '1.2.3.4' }) // { foo: 'bar' }
 */
export function redactResponseHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (REDACTED_HEADERS.has(lower) || REDACTED_PREFIXES.some((p) => lower.startsWith(p))) continue;
    kept[name] = value;
  }
  return kept;
}

/**
 * A response body cut to 1000 characters as the spec records it: the first 500, a marker with the
 * number left out, the last 500. `omitted` counts what the reader already dropped.
 *
 * @example
 * truncateResponseBody('a'.repeat(1200)) // 'a'×500 + '...200 additional characters...' + 'a'×500
 */
export function truncateResponseBody(text: string, omitted = 0): string {
  const chars = Array.from(text);
  if (chars.length <= 1000 && omitted === 0) return text;
  const extra = Math.max(0, chars.length - 1000) + omitted;
  return `${chars.slice(0, 500).join('')}...${extra} additional characters...${chars.slice(Math.max(500, chars.length - 500)).join('')}`;
}

/**
 * Milliseconds a `Retry-After` header asks for: delta-seconds or an HTTP date. Unreadable → 0.
 *
 * @example
 * parseRetryAfter('120', Date.now()) // 120000
 */
export function parseRetryAfter(header: string | undefined, nowMs: number): number {
  if (header === undefined) return 0;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? 0 : Math.max(0, at - nowMs);
}

/** What an HTTP exchange means for an action (DECISIONS 14). */
export type HttpVerdict =
  | { ok: true; details: Record<string, JsonValue> }
  | { ok: false; message: string; details: Record<string, JsonValue>; retryAfterMs: number | null };

/**
 * Classifies an HTTP exchange: 2xx succeeds; 5xx, 429 (with its `Retry-After`), network errors and
 * timeouts are retryable; a refused address, a bad URL, 3xx (redirects are not followed) and other
 * 4xx fail at once. The details carry `status_code`, redacted `response_headers` and the truncated
 * `response_body` whenever a response came back.
 *
 * @example
 * judgeHttpResult(result, Date.now()) // { ok: false, message: 'status 503', retryAfterMs: 0, details: {…} }
 */
export function judgeHttpResult(result: SafeHttpResponse | SafeHttpFailure, nowMs: number): HttpVerdict {
  if (!result.ok) {
    const retryable = result.kind === 'network' || result.kind === 'timeout';
    const message = result.kind === 'refused' ? `refused: ${result.message}` : result.message;
    return { ok: false, message, details: {}, retryAfterMs: retryable ? 0 : null };
  }
  const details: Record<string, JsonValue> = {
    status_code: result.status,
    response_headers: redactResponseHeaders(result.headers),
    response_body: truncateResponseBody(result.body, result.omittedBytes),
  };
  if (result.status >= 200 && result.status < 300) return { ok: true, details };
  const retryable = result.status === 429 || result.status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(result.headers['retry-after'], nowMs) : null;
  const suffix = result.status >= 300 && result.status < 400 ? ' (redirects are not followed)' : '';
  return { ok: false, message: `status ${result.status}${suffix}`, details, retryAfterMs };
}
