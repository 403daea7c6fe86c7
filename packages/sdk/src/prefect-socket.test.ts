import { describe, expect, it } from 'vitest';
import { HeraldApiError, HeraldClientError } from './herald-api-error.js';
import { closeError, isRetryable } from './prefect-socket.js';

describe('closeError and isRetryable', () => {
  const url = 'ws://h/api/events/out';

  it('treats policy and protocol closes as final refusals', () => {
    const cases = [
      closeError(url, 1008, 'Invalid token'),
      closeError(url, 1008, 'Auth required but no token provided'),
      closeError(url, 1002, 'Invalid filter: /filter/x: Extra inputs are not permitted'),
      closeError(url, 1002, "Expected 'filter' message"),
      closeError(url, 1009, ''),
    ];
    expect(cases.map((e) => [e instanceof HeraldApiError ? e.status : 0, e.code, isRetryable(e)])).toEqual([
      [401, 'AUTH_INVALID', false],
      [401, 'AUTH_REQUIRED', false],
      [422, 'FILTER_INVALID', false],
      [422, 'PROTOCOL_ERROR', false],
      [413, 'REQUEST_TOO_LARGE', false],
    ]);
  });

  it('retries outages: abnormal closes, storage failures, restarts, overload', () => {
    for (const code of [1000, 1001, 1006, 1011, 1012, 1013]) {
      const error = closeError(url, code, '');
      expect([error.code, isRetryable(error)]).toEqual(['CONNECTION_FAILED', true]);
    }
  });

  it('retries 5xx, 408 and 429 answers and timeouts, not other refusals', () => {
    expect(
      [
        new HeraldApiError(503, 'UNAVAILABLE', ''),
        new HeraldApiError(429, 'RATE_LIMITED', ''),
        new HeraldApiError(408, 'HTTP_408', ''),
        new HeraldClientError('TIMEOUT', ''),
        new HeraldApiError(404, 'NOT_FOUND', ''),
        new HeraldApiError(401, 'AUTH_INVALID', ''),
        new HeraldClientError('QUEUE_FULL', ''),
        new Error('other'),
      ].map(isRetryable),
    ).toEqual([true, true, true, true, false, false, false, false]);
  });
});
