import { describe, expect, it } from 'vitest';
import { codeForStatus, HeraldApiError, HeraldClientError, parseApiError } from './herald-api-error.js';

describe('parseApiError', () => {
  it("reads Herald's native body: code, message and issues", () => {
    const body = {
      statusCode: 422,
      code: 'FILTER_INVALID',
      error: 'Unprocessable Entity',
      message: 'The filter is invalid.',
      details: { issues: [{ pointer: '/filter/bogus', path: ['filter', 'bogus'], type: 'extra_forbidden', message: 'Extra inputs are not permitted' }] },
    };
    const error = parseApiError(422, JSON.stringify(body));
    expect(error).toBeInstanceOf(HeraldApiError);
    expect(error).toBeInstanceOf(HeraldClientError);
    expect([error.status, error.code, error.message]).toEqual([422, 'FILTER_INVALID', 'The filter is invalid.']);
    expect(error.details).toEqual({ issues: [{ pointer: '/filter/bogus', type: 'extra_forbidden', message: 'Extra inputs are not permitted' }] });
  });

  it("prefers Herald's code when a body carries both shapes", () => {
    const body = {
      statusCode: 422,
      code: 'EVENT_VALIDATION_FAILED',
      error: 'Unprocessable Entity',
      message: 'One or more events are invalid.',
      details: { issues: [{ pointer: '/1/resource', path: [1, 'resource'], type: 'missing', message: 'Field required', eventId: 'e1' }] },
      exception_message: 'Invalid request received.',
      exception_detail: [{ type: 'missing', loc: ['body', 1, 'resource'], msg: 'Field required', pointer: '/1/resource', event_id: 'e1' }],
    };
    const error = parseApiError(422, JSON.stringify(body));
    expect([error.code, error.details]).toEqual(['EVENT_VALIDATION_FAILED', { issues: [{ pointer: '/1/resource', type: 'missing', message: 'Field required', eventId: 'e1' }] }]);
  });

  it("takes the issues from exception_detail when a coded body lists them only there", () => {
    const body = {
      statusCode: 422,
      code: 'AUTOMATION_INVALID',
      error: 'Unprocessable Entity',
      message: 'The automation is invalid.',
      exception_message: 'Invalid request received.',
      exception_detail: [{ type: 'missing', loc: ['body', 'trigger', 'posture'], msg: 'Field required', pointer: '/trigger/posture' }],
    };
    const error = parseApiError(422, JSON.stringify(body));
    expect([error.code, error.details]).toEqual(['AUTOMATION_INVALID', { issues: [{ pointer: '/trigger/posture', type: 'missing', message: 'Field required' }] }]);
  });

  it("reads Prefect's 422 shape, deriving the pointer from loc when absent", () => {
    const body = {
      exception_message: 'Invalid request received.',
      exception_detail: [
        { type: 'missing', loc: ['body', 0, 'resource'], msg: 'Field required', pointer: '/0/resource', event_id: 'abc' },
        { type: 'string_type', loc: ['body', 2, 'resource', 'a/b'], msg: 'Input should be a valid string' },
      ],
    };
    const error = parseApiError(422, JSON.stringify(body));
    expect([error.status, error.code, error.message]).toEqual([422, 'VALIDATION_FAILED', 'Invalid request received.']);
    expect(error.details).toEqual({
      issues: [
        { pointer: '/0/resource', type: 'missing', message: 'Field required', eventId: 'abc' },
        { pointer: '/2/resource/a~1b', type: 'string_type', message: 'Input should be a valid string' },
      ],
    });
  });

  it("reads FastAPI's {detail} shape and plain-text bodies", () => {
    expect([parseApiError(403, '{"detail":"Forbidden"}').code, parseApiError(403, '{"detail":"Forbidden"}').message]).toEqual(['FORBIDDEN', 'Forbidden']);
    const proxy = parseApiError(502, '<html>Bad gateway</html>');
    expect([proxy.status, proxy.code, proxy.message]).toEqual([502, 'INTERNAL', 'HTTP 502: <html>Bad gateway</html>']);
    expect(parseApiError(404, '').code).toBe('NOT_FOUND');
  });

  it('derives a stable code from every status', () => {
    expect([401, 413, 418, 429, 503, 504].map(codeForStatus)).toEqual(['AUTH_INVALID', 'REQUEST_TOO_LARGE', 'HTTP_418', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL']);
  });
});
