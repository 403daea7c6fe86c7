import { describe, expect, it } from 'vitest';
import { judgeHttpResult, parseRetryAfter, redactResponseHeaders, truncateResponseBody } from './http-outcome.js';

const response = (status: number, headers: Record<string, string> = {}, body = '') => ({
  ok: true as const,
  status,
  headers,
  body,
  omittedBytes: 0,
});

describe('redactResponseHeaders', () => {
  it('drops authorization, traceparent, via and proxy prefixes, case-insensitively (S109)', () => {
    expect(
      redactResponseHeaders({
        foo: 'bar',
        Authorization: 'Bearer x',
        via: '1.1 proxy',
        traceparent: 't',
        'X-Forwarded-For': '1',
        'x-b3-traceid': '2',
        'X-Envoy-Upstream': '3',
        'x-cloud-trace-context': '4',
        'x-prefect-id': '5',
      }),
    ).toEqual({ foo: 'bar' });
  });
});

describe('truncateResponseBody', () => {
  it('keeps short bodies as they are', () => {
    expect(truncateResponseBody('🦊')).toBe('🦊');
    expect(truncateResponseBody('x'.repeat(1000))).toBe('x'.repeat(1000));
  });

  it('keeps 500 characters at each end and counts the rest', () => {
    const text = 'a'.repeat(500) + 'b'.repeat(234) + 'c'.repeat(500);
    expect(truncateResponseBody(text)).toBe('a'.repeat(500) + '...234 additional characters...' + 'c'.repeat(500));
  });

  it('counts characters, not UTF-16 units, and adds what the reader dropped', () => {
    const text = '🦊'.repeat(1001);
    const cut = truncateResponseBody(text, 10);
    expect(cut).toBe('🦊'.repeat(500) + '...11 additional characters...' + '🦊'.repeat(500));
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('2026-10-21T07:28:00Z'))).toBe(10_000);
    expect(parseRetryAfter('soon', 0)).toBe(0);
    expect(parseRetryAfter(undefined, 0)).toBe(0);
  });
});

describe('judgeHttpResult (DECISIONS 14)', () => {
  it('succeeds on 2xx with the status, headers and body', () => {
    expect(judgeHttpResult(response(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '4' }, '🦊'), 0)).toEqual({
      ok: true,
      details: {
        status_code: 200,
        response_headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': '4' },
        response_body: '🦊',
      },
    });
  });

  it('retries 5xx and 429, honouring Retry-After', () => {
    expect(judgeHttpResult(response(503), 0)).toMatchObject({ ok: false, retryAfterMs: 0, details: { status_code: 503 } });
    expect(judgeHttpResult(response(429, { 'retry-after': '3' }), 0)).toMatchObject({ ok: false, retryAfterMs: 3000 });
  });

  it('fails other 4xx and 3xx at once', () => {
    expect(judgeHttpResult(response(404), 0)).toMatchObject({ ok: false, retryAfterMs: null, message: 'status 404' });
    expect(judgeHttpResult(response(302, { location: 'http://elsewhere' }), 0)).toMatchObject({ ok: false, retryAfterMs: null });
  });

  it('retries network errors and timeouts, not refusals', () => {
    expect(judgeHttpResult({ ok: false, kind: 'network', message: 'ECONNREFUSED' }, 0)).toMatchObject({ ok: false, retryAfterMs: 0 });
    expect(judgeHttpResult({ ok: false, kind: 'timeout', message: 'slow' }, 0)).toMatchObject({ ok: false, retryAfterMs: 0 });
    expect(judgeHttpResult({ ok: false, kind: 'refused', message: 'x is private' }, 0)).toMatchObject({ ok: false, retryAfterMs: null });
    expect(judgeHttpResult({ ok: false, kind: 'invalid-request', message: 'bad' }, 0)).toMatchObject({ ok: false, retryAfterMs: null });
  });
});
