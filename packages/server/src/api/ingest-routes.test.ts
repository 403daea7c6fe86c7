import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApiHarness, testEvent, type HttpApiHarness } from '../test-support/http-api-harness.js';

let h: HttpApiHarness;

beforeAll(async () => {
  h = await startHttpApiHarness({ maxBodyBytes: 256 * 1024 });
});
afterAll(async () => {
  await h?.close();
});

function post(payload: unknown, headers: Record<string, string> = {}) {
  return h.app.inject({ method: 'POST', url: '/api/events', payload: payload as object, headers });
}

function postRaw(body: string, contentType: string | undefined) {
  return h.app.inject({ method: 'POST', url: '/api/events', body, headers: contentType ? { 'content-type': contentType } : {} });
}

async function stored(id: unknown): Promise<boolean> {
  const res = await h.app.inject({ method: 'GET', url: `/api/events/${String(id)}` });
  return res.statusCode === 200;
}

describe('POST /api/events', () => {
  it('stores a batch and answers 204 with an empty body', async () => {
    const events = [testEvent(), testEvent({ occurred: '2026-08-21T12:00:00.5+02:00', follows: null })];
    const res = await post(events);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const back = await h.app.inject({ method: 'GET', url: `/api/events/${String(events[1]!.id)}` });
    expect(back.statusCode).toBe(200);
    const json = back.json();
    expect(json.occurred).toBe('2026-08-21T10:00:00.500000Z');
    expect(Object.keys(json)).toEqual(['occurred', 'event', 'resource', 'related', 'payload', 'id', 'follows', 'received']);
  });

  it('accepts an empty array', async () => {
    expect((await post([])).statusCode).toBe(204);
  });

  it("accepts and ignores Prefect's x-prefect-api-version header", async () => {
    const event = testEvent();
    expect((await post([event], { 'x-prefect-api-version': '0.8.4' })).statusCode).toBe(204);
    expect(await stored(event.id)).toBe(true);
  });

  it('acknowledges a resend of the same id (first write wins)', async () => {
    const event = testEvent();
    expect((await post([event])).statusCode).toBe(204);
    expect((await post([{ ...event, event: 'changed' }])).statusCode).toBe(204);
    const back = await h.app.inject({ method: 'GET', url: `/api/events/${String(event.id)}` });
    expect(back.json().event).toBe('acme.model.refreshed');
  });

  it('records the ingest latency for the http route', async () => {
    await post([testEvent()]);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    const line = metrics.body.split('\n').find((l) => l.startsWith('herald_ingest_latency_seconds_count{route="http"}'));
    expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(1);
  });

  it('is registered exactly at /api/events', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/events/', payload: [] });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('POST /api/events refusals', () => {
  it('refuses malformed JSON with 400 REQUEST_BODY_INVALID_JSON in Herald shape', async () => {
    const res = await postRaw('[{"id": ', 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'REQUEST_BODY_INVALID_JSON', error: 'Bad Request' });
    expect(typeof res.json().message).toBe('string');
  });

  it('refuses prototype-poisoning keys', async () => {
    const res = await postRaw('[{"__proto__": {"polluted": true}}]', 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('REQUEST_BODY_INVALID_JSON');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body that is not an array with 422 in Prefect shape', async () => {
    const res = await post(testEvent());
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('EVENT_VALIDATION_FAILED');
    expect(body.exception_message).toBe('Invalid request received.');
    expect(body.exception_detail).toHaveLength(1);
    expect(body.exception_detail[0]).toMatchObject({ type: 'list_type', loc: ['body'], pointer: '' });
  });

  it('refuses a missing body with 422', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/events' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('EVENT_VALIDATION_FAILED');
  });

  it('lists every bad event with its pointer, loc, input and event id, and stores nothing', async () => {
    const good = testEvent();
    const noResourceId = testEvent({ resource: { 'prefect.resource.name': 'x' } });
    const badTime = testEvent({ occurred: 'yesterday' });
    const res = await post([good, noResourceId, badTime]);
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('EVENT_VALIDATION_FAILED');
    expect(body.exception_message).toBe('Invalid request received.');
    expect(body.exception_detail).toEqual([
      {
        type: 'missing',
        loc: ['body', 1, 'resource', 'prefect.resource.id'],
        msg: expect.any(String),
        input: { 'prefect.resource.name': 'x' },
        pointer: '/1/resource/prefect.resource.id',
        event_id: noResourceId.id,
      },
      {
        type: 'datetime_parsing',
        loc: ['body', 2, 'occurred'],
        msg: expect.any(String),
        input: 'yesterday',
        pointer: '/2/occurred',
        event_id: badTime.id,
      },
    ]);
    expect(body.request_body).toEqual([good, noResourceId, badTime]);
    expect(await stored(good.id)).toBe(false);
  });

  it('does not echo a large body or a large input', async () => {
    const big = testEvent({ event: 'x'.repeat(2000), payload: { filler: 'y'.repeat(20_000) } });
    const res = await post([big]);
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.request_body).toBeUndefined();
    expect(body.exception_detail[0]).toMatchObject({ type: 'string_too_long', pointer: '/0/event', event_id: big.id });
    expect(body.exception_detail[0].input).toBeUndefined();
  });

  it('gives no event_id when the bad event has none', async () => {
    const { id: _id, ...event } = testEvent();
    const res = await post([event]);
    expect(res.statusCode).toBe(422);
    expect(res.json().exception_detail[0]).toMatchObject({ type: 'missing', pointer: '/0/id' });
    expect(res.json().exception_detail[0].event_id).toBeUndefined();
  });

  it('refuses a body over the configured limit with 413 REQUEST_TOO_LARGE', async () => {
    const res = await postRaw(JSON.stringify([testEvent({ payload: { filler: 'z'.repeat(300 * 1024) } })]), 'application/json');
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ statusCode: 413, code: 'REQUEST_TOO_LARGE' });
  });

  it('refuses other content types with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = JSON.stringify([testEvent()]);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await postRaw(body, type);
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    const untyped = await postRaw(body, undefined);
    expect(untyped.statusCode).toBe(415);
  });

  it('accepts JSON with a charset parameter', async () => {
    expect((await postRaw(JSON.stringify([testEvent()]), 'application/json; charset=utf-8')).statusCode).toBe(204);
  });

  it('answers hostile input with 4xx, never 500', async () => {
    const event = JSON.stringify(testEvent());
    const deepArray = '['.repeat(50_000) + '"leaf"' + ']'.repeat(50_000);
    const deepObject = '{"a":'.repeat(50_000) + '{}' + '}'.repeat(50_000);
    const bodies: string[] = [
      deepArray,
      `[${event.slice(0, -1)},"payload":${deepObject}}]`,
      `[${event.slice(0, -1)},"resource":{"prefect.resource.id":${deepObject}}}]`,
      JSON.stringify([testEvent({ resource: { 'prefect.resource.id': { nested: true } } })]),
      JSON.stringify([testEvent({ event: 5, id: 'not-a-uuid', occurred: 17 })]),
      JSON.stringify([testEvent({ related: 'nope' }), null, 3, 'x', []]),
      JSON.stringify([testEvent({ occurred: '2026-02-30T00:00:00Z' })]),
      JSON.stringify([testEvent({ occurred: '9999-99-99T99:99:99Z', follows: 'zzz' })]),
      JSON.stringify([testEvent({ payload: [1, 2] })]),
      JSON.stringify([testEvent({ event: 'e'.repeat(200_000) })]),
      '"a string"',
      '42',
      'null',
      '\u0000',
      '[1,]',
    ];
    for (const body of bodies) {
      const res = await postRaw(body, 'application/json');
      expect(res.statusCode, body.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, body.slice(0, 80)).toBeLessThan(500);
      expect(typeof res.json().code).toBe('string');
    }
  });

  it('names the deep payload with a pointer', async () => {
    let deepObject: unknown = {};
    for (let i = 0; i < 1_000; i++) deepObject = { a: deepObject };
    const event = testEvent({ payload: deepObject });
    const res = await post([event]);
    expect(res.statusCode).toBe(422);
    expect(res.json().exception_detail[0]).toMatchObject({ type: 'payload_too_deep', pointer: '/0/payload', event_id: event.id });
  });
});
