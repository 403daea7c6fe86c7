import { HeraldError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { errorResponse, toPrefectIssues, type FailedRequest } from './error-response.js';

const herald: FailedRequest = { prefectShapes: false, body: undefined, query: {}, params: {}, contentLength: undefined };
const prefect: FailedRequest = { ...herald, prefectShapes: true };

describe('errorResponse', () => {
  it("gives Herald's body for a HeraldError on a Herald route", () => {
    const r = errorResponse(new HeraldError('EVENT_NOT_FOUND', { details: { id: 'x' } }), herald);
    expect(r).toEqual({
      status: 404,
      unexpected: false,
      body: { statusCode: 404, code: 'EVENT_NOT_FOUND', error: 'Not Found', message: expect.any(String), details: { id: 'x' } },
    });
  });

  it('adds exception_message to every 401', () => {
    expect(errorResponse(new HeraldError('AUTH_REQUIRED'), herald).body).toMatchObject({
      statusCode: 401,
      code: 'AUTH_REQUIRED',
      exception_message: 'Unauthorized',
    });
    expect(errorResponse(new HeraldError('AUTH_INVALID'), prefect).body).toMatchObject({
      code: 'AUTH_INVALID',
      exception_message: 'Unauthorized',
    });
  });

  it('gives Prefect routes detail "Forbidden" for a bad page token', () => {
    expect(errorResponse(new HeraldError('PAGE_TOKEN_INVALID'), prefect).body).toMatchObject({
      statusCode: 403,
      code: 'PAGE_TOKEN_INVALID',
      detail: 'Forbidden',
    });
    expect(errorResponse(new HeraldError('PAGE_TOKEN_INVALID'), herald).body.detail).toBeUndefined();
  });

  it('gives Prefect routes their 422 shape, with exception_detail instead of details', () => {
    const issue = { pointer: '/limit', path: ['limit'], type: 'less_than_equal', message: 'too big' };
    const r = errorResponse(new HeraldError('QUERY_INVALID', { details: { issues: [issue] } }), { ...prefect, body: { limit: 500 } });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      statusCode: 422,
      code: 'QUERY_INVALID',
      error: 'Unprocessable Entity',
      message: expect.any(String),
      exception_message: 'Invalid request received.',
      exception_detail: [{ type: 'less_than_equal', loc: ['body', 'limit'], msg: 'too big', input: 500, pointer: '/limit' }],
      request_body: { limit: 500 },
    });
  });

  it('keeps issues in details on Herald routes', () => {
    const issue = { in: 'path' as const, pointer: '/id', path: ['id'], type: 'uuid_parsing', message: 'bad' };
    const r = errorResponse(new HeraldError('QUERY_INVALID', { details: { issues: [issue] } }), herald);
    expect(r.body.details).toEqual({ issues: [issue] });
    expect(r.body.exception_detail).toBeUndefined();
  });

  it('uses detail for other Prefect-route refusals', () => {
    const r = errorResponse(
      new HeraldError('COUNT_TOO_MANY_BUCKETS', { message: 'too many', details: { buckets: 2000, max: 1000 } }),
      prefect,
    );
    expect(r.body).toMatchObject({ code: 'COUNT_TOO_MANY_BUCKETS', detail: 'too many', details: { buckets: 2000, max: 1000 } });
  });

  it('hides unknown errors behind INTERNAL and marks them for logging', () => {
    const r = errorResponse(new Error('database password is hunter2'), prefect);
    expect(r.status).toBe(500);
    expect(r.unexpected).toBe(true);
    expect(r.body).toMatchObject({ code: 'INTERNAL', exception_message: 'Internal Server Error' });
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
  });

  it("gives Prefect routes 'Service Unavailable' for storage outages", () => {
    const r = errorResponse(new HeraldError('STORAGE_UNAVAILABLE'), prefect);
    expect(r).toMatchObject({
      status: 503,
      unexpected: true,
      body: { code: 'STORAGE_UNAVAILABLE', exception_message: 'Service Unavailable' },
    });
  });

  it("maps Fastify's errors to catalogue codes", () => {
    const fastify = (code: string, statusCode: number) => Object.assign(new Error('x'), { code, statusCode });
    expect(errorResponse(fastify('FST_ERR_CTP_INVALID_JSON_BODY', 400), herald).body.code).toBe('REQUEST_BODY_INVALID_JSON');
    expect(errorResponse(fastify('FST_ERR_CTP_BODY_TOO_LARGE', 413), herald).body.code).toBe('REQUEST_TOO_LARGE');
    expect(errorResponse(fastify('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), herald).body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const other = errorResponse(fastify('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400), herald);
    expect(other).toMatchObject({
      status: 400,
      body: { code: 'REQUEST_INVALID', details: { reason: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' } },
    });
    expect(errorResponse(fastify('FST_ERR_WHATEVER', 500), herald).body.code).toBe('INTERNAL');
  });

  it('never echoes a body that cannot be serialised or is large', () => {
    const cyclic: Record<string, unknown> = { limit: 900 };
    cyclic.self = cyclic;
    const issue = { pointer: '/limit', path: ['limit'], type: 'less_than_equal', message: 'too big' };
    const error = new HeraldError('QUERY_INVALID', { details: { issues: [issue] } });
    expect(errorResponse(error, { ...prefect, body: cyclic }).body.request_body).toBeUndefined();
    expect(errorResponse(error, { ...prefect, body: { limit: 900 }, contentLength: 20_000 }).body.request_body).toBeUndefined();
  });
});

describe('toPrefectIssues', () => {
  it("reports the enclosing object as a missing field's input, and names the event", () => {
    const body = [{ id: 'e-1', resource: {} }];
    const items = toPrefectIssues(
      [{ pointer: '/0/resource/prefect.resource.id', path: [0, 'resource', 'prefect.resource.id'], type: 'missing', message: 'm' }],
      { body, query: {}, params: {} },
    );
    expect(items).toEqual([
      {
        type: 'missing',
        loc: ['body', 0, 'resource', 'prefect.resource.id'],
        msg: 'm',
        input: {},
        pointer: '/0/resource/prefect.resource.id',
        event_id: 'e-1',
      },
    ]);
  });

  it('locates query and path issues in their own part', () => {
    const items = toPrefectIssues([{ in: 'query', pointer: '/page-token', path: ['page-token'], type: 'missing', message: 'm' }], {
      body: undefined,
      query: {},
      params: {},
    });
    expect(items[0]).toEqual({ type: 'missing', loc: ['query', 'page-token'], msg: 'm', input: {}, pointer: '/page-token' });
  });

  it('does not follow inherited properties when resolving inputs', () => {
    const items = toPrefectIssues([{ pointer: '/__proto__', path: ['__proto__'], type: 'x', message: 'm' }], {
      body: {},
      query: {},
      params: {},
    });
    expect(items[0]!.input).toBeUndefined();
  });
});
