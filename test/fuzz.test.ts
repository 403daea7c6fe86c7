import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempDir, createTempPostgresDatabase } from '../packages/server/src/test-support/temp-resources.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

const validEvent = () => ({
  id: '0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10',
  occurred: '2026-11-22T10:00:00Z',
  event: 'fuzz.event',
  resource: { 'prefect.resource.id': 'fuzz.resource' },
});

/** Nested arrays or objects `depth` levels deep, as text (JSON.stringify would itself overflow). */
const deep = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

const anyJson = fc.jsonValue({ maxDepth: 4 });
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '%', '_', '*', '../..', '<script>', 'null', 'NaN', '1e999', '2024-02-30T00:00:00Z', '9999-99-99', 'x'.repeat(5000)),
);
const mutatedEvent = fc.record({ key: fc.constantFrom('id', 'occurred', 'event', 'resource', 'related', 'payload', 'follows'), value: fc.oneof(anyJson, hostileString) }).map(({ key, value }) => ({ ...validEvent(), [key]: value }));
const badToken = fc.oneof(hostileString, fc.base64String({ maxLength: 200 }), fc.string().map((s) => Buffer.from(Buffer.from(s).toString('base64')).toString('base64')));
const badFilter = fc.oneof(
  anyJson,
  fc.record({ filter: fc.dictionary(fc.constantFrom('occurred', 'event', 'resource', 'related', 'any_resource', 'id', 'text', 'order', 'bogus'), fc.oneof(anyJson, hostileString)) }),
  fc.record({ filter: fc.constant({}), limit: fc.oneof(fc.integer(), hostileString, fc.double()) }),
);

/** Percent-encodes text, replacing lone surrogates (which encodeURIComponent refuses) as UTF-8 would. */
const enc = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

type Req = { method: string; path: string; body?: string; contentType?: string };

const request: fc.Arbitrary<Req> = fc.oneof(
  fc.string({ maxLength: 200 }).map((body) => ({ method: 'POST', path: '/api/events', body })),
  fc.array(mutatedEvent, { minLength: 1, maxLength: 5 }).map((events) => ({ method: 'POST', path: '/api/events', body: JSON.stringify(events) })),
  fc.oneof(anyJson, hostileString).map((v) => ({ method: 'POST', path: '/api/events', body: JSON.stringify(v) })),
  fc.integer({ min: 1000, max: 20000 }).map((d) => ({ method: 'POST', path: '/api/events', body: deep(d, '[', ']') })),
  fc.integer({ min: 300, max: 50_000 }).map((d) => ({
    method: 'POST',
    path: '/api/events',
    body: '[' + JSON.stringify(validEvent()).slice(0, -1) + ',"payload":{"a":' + deep(d, '{"b":', '}') + '}}]',
  })),
  fc.constant({ method: 'POST', path: '/api/events', body: JSON.stringify([{ ...validEvent(), event: 'x'.repeat(100_000) }]) }),
  badFilter.map((b) => ({ method: 'POST', path: '/api/events/filter', body: JSON.stringify(b) })),
  fc.string({ maxLength: 100 }).map((body) => ({ method: 'POST', path: '/api/events/filter', body })),
  badToken.map((t) => ({ method: 'GET', path: `/api/events/filter/next?page-token=${enc(t)}` })),
  fc.tuple(fc.constantFrom('day', 'time', 'event', 'resource', 'week', '', '..'), badFilter).map(([c, b]) => ({ method: 'POST', path: `/api/events/count-by/${c}`, body: JSON.stringify(b) })),
  fc.record({ time_unit: fc.oneof(hostileString, fc.constantFrom('second', 'week')), time_interval: fc.oneof(fc.double(), hostileString), filter: fc.constant({}) }).map((b) => ({ method: 'POST', path: '/api/events/count-by/time', body: JSON.stringify(b) })),
  hostileString.map((id) => ({ method: 'GET', path: `/api/events/${enc(id)}` })),
  fc.tuple(fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'), fc.constantFrom('/api/events', '/api/events/filter', '/api/nope', '/api/events/count-by/day')).map(([method, path]) => ({ method, path })),
  fc.string({ maxLength: 100 }).map((body) => ({ method: 'POST', path: '/api/events', body, contentType: 'text/plain' })),
  fc.constantFrom('/api/events/%E0%A4%A', '/api/events/filter/next?page-token=%ZZ', '/api/events/filter/next', '/api/%00', '/api/events/count-by/%FF').map((path) => ({ method: 'GET', path })),
);

/** Management objects that a fuzzed request may name, next to ids that name nothing. */
const AUTOMATION = { name: 'fuzz', trigger: { type: 'event', expect: ['fuzz.event'], posture: 'Reactive', threshold: 1, within: 0 }, actions: [{ type: 'do-nothing' }] };
const WEBHOOK = { name: 'fuzz', template: '{"event": "fuzz.hook", "resource": {"prefect.resource.id": "fuzz.hook"}}' };
const CONNECTION = { name: 'fuzz', kind: 'webhook', secrets: { url: 'http://127.0.0.1:9/fuzz' } };

/** Replaces one field of `object`, or sets a value a few levels deep where the schema nests. */
const mutated = (object: Record<string, unknown>) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...Object.keys(object)), fc.oneof(anyJson, hostileString)).map(([key, value]) => ({ ...object, [key]: value })),
    fc
      .tuple(fc.constantFrom('trigger', 'actions', 'settings', 'secrets', 'signature', 'filter'), fc.constantFrom('type', 'expect', 'match', 'within', 'threshold', 'posture', 'triggers', 'url', 'preset', 0), fc.oneof(anyJson, hostileString))
      .map(([outer, inner, value]) => ({ ...object, [outer]: inner === 0 ? [value] : { ...(object[outer] as object), [inner]: value } })),
  );

/** Requests to every management route (automations, webhooks, connections): hostile bodies, ids and queries. */
function managementRequests(ids: string[]): fc.Arbitrary<Req> {
  const id = fc.oneof(fc.constantFrom(...ids), hostileString).map(enc);
  const body = fc.oneof(anyJson, hostileString, mutated(AUTOMATION), mutated(WEBHOOK), mutated(CONNECTION)).map((b) => JSON.stringify(b));
  const query = fc.oneof(fc.constant(''), hostileString.map((q) => `?limit=${enc(q)}&offset=${enc(q)}`));
  const route = fc.constantFrom(
    ['POST', '/api/automations'],
    ['GET', '/api/automations/{id}'],
    ['PUT', '/api/automations/{id}'],
    ['PATCH', '/api/automations/{id}'],
    ['DELETE', '/api/automations/{id}'],
    ['POST', '/api/automations/filter'],
    ['POST', '/api/automations/count'],
    ['GET', '/api/automations/related-to/{id}'],
    ['DELETE', '/api/automations/owned-by/{id}'],
    ['GET', '/api/automations/{id}/trace'],
    ['POST', '/api/connections'],
    ['GET', '/api/connections'],
    ['PATCH', '/api/connections/{id}'],
    ['DELETE', '/api/connections/{id}'],
    ['POST', '/api/templates/validate'],
    ['POST', '/api/webhooks'],
    ['POST', '/api/webhooks/filter'],
    ['PUT', '/api/webhooks/{id}'],
    ['PATCH', '/api/webhooks/{id}'],
    ['DELETE', '/api/webhooks/{id}'],
    ['POST', '/api/webhooks/{id}/rotate'],
    ['GET', '/api/webhooks/{id}/requests'],
    ['POST', '/api/webhooks/{id}/requests/{id}/replay'],
    ['POST', '/api/webhooks/{id}/preview'],
  );
  return fc.tuple(route, id, body, query, fc.constantFrom('application/json', 'text/plain')).map(([[method, path], i, b, q, contentType]) => ({
    method,
    path: path.replaceAll('{id}', i) + q,
    body: method === 'GET' || method === 'DELETE' ? undefined : b,
    contentType,
  }));
}

/** Creates one automation, webhook and connection; resolves with their ids. */
async function createManagementObjects(url: string): Promise<string[]> {
  const create = async (path: string, body: object) => {
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, path).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  return [await create('/api/automations', AUTOMATION), await create('/api/webhooks', WEBHOOK), await create('/api/connections', CONNECTION)];
}

async function fuzz(server: ServerProcess, count: number, seed: number, arbitrary: fc.Arbitrary<Req> = request, refusedShare = 0.8) {
  const requests = fc.sample(arbitrary, { numRuns: count, seed });
  const failures: string[] = [];
  let refused = 0;
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const res = await fetch(server.url + r.path, {
        method: r.method,
        headers: r.body === undefined ? {} : { 'content-type': r.contentType ?? 'application/json' },
        body: r.body,
      });
      const text = await res.text();
      if (res.status >= 500) failures.push(`${res.status} ${r.method} ${r.path} ${(r.body ?? '').slice(0, 120)} → ${text.slice(0, 200)}`);
      else if (res.status >= 400) {
        refused++;
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          failures.push(`unstructured ${res.status} for ${r.method} ${r.path}: ${text.slice(0, 100)}`);
          continue;
        }
        if (typeof body !== 'object' || body === null) failures.push(`non-object ${res.status} body for ${r.method} ${r.path}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  expect(failures.slice(0, 10)).toEqual([]);
  expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  // The generators produce invalid input by construction, so most requests must be refused.
  expect(refused).toBeGreaterThan(count * refusedShare);
}

describe('fuzzing the HTTP API with malformed requests', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('answers 10,000 malformed requests on SQLite with structured 4xx replies, never a 5xx, and stays up', async () => {
    const dir = createTempDir();
    cleanups.push(() => dir.remove());
    const server = await startServerProcess({ HERALD_DATA_DIR: dir.path });
    cleanups.push(() => (server.child.kill('SIGTERM'), server.exited));
    await fuzz(server, 10_000, 20261122);
  }, 240_000);

  it('answers 3,000 malformed requests to the automations, webhooks and connections APIs the same way', async () => {
    const dir = createTempDir();
    cleanups.push(() => dir.remove());
    const server = await startServerProcess({ HERALD_DATA_DIR: dir.path });
    cleanups.push(() => (server.child.kill('SIGTERM'), server.exited));
    const ids = await createManagementObjects(server.url);
    // Some mutations stay valid (a new name, say) and some requests name a real object: not every one is refused.
    await fuzz(server, 3_000, 20261207, managementRequests(ids), 0.7);
  }, 240_000);

  it('answers 4,000 malformed requests on PostgreSQL the same way', async () => {
    const db = await createTempPostgresDatabase();
    cleanups.push(() => db.drop());
    const dir = createTempDir();
    cleanups.push(() => dir.remove());
    const server = await startServerProcess({ HERALD_DATA_DIR: dir.path, HERALD_DATABASE_URL: db.url });
    cleanups.push(() => (server.child.kill('SIGTERM'), server.exited));
    await fuzz(server, 4_000, 20261123);
  }, 240_000);
});
