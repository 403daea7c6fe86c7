import websocket from '@fastify/websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { revokeApiKey } from '../auth/api-keys.js';
import { startHttpApiHarness, testEvent, type HttpApiHarness } from '../test-support/http-api-harness.js';
import { prefectCompatibleVersion } from './admin-routes.js';

let h: HttpApiHarness;

beforeAll(async () => {
  h = await startHttpApiHarness({
    registerExtraRoutes: async (app) => {
      app.get('/extra/boom', async () => {
        throw new Error('the secret internals of the failure');
      });
      app.get('/extra/ok', async () => ({ extra: true }));
      // Websocket routes authenticate inside their protocol, so the HTTP hook lets upgrades through.
      await app.register(websocket);
      app.get('/api/extra/socket', { websocket: true }, (socket) => {
        socket.on('message', (data: Buffer) => socket.send(`echo:${data.toString()}`));
      });
    },
  });
});
afterAll(async () => {
  await h?.close();
});

describe('admin routes', () => {
  it('answers the version as a JSON string with major 3, as Prefect clients require', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/admin/version' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const version = res.json();
    expect(version).toBe('3.6.1+herald.0.1.0');
    expect(version.split('.')[0]).toBe('3');
  });

  it('forms PEP 440 versions from any Herald version', () => {
    const pep440 = /^\d+\.\d+\.\d+(\+[a-z0-9]+(\.[a-z0-9]+)*)?$/;
    for (const v of ['0.1.0', '1.0.0-rc.2', '2.0.0+build.7', 'dev', '', '--']) expect(prefectCompatibleVersion(v)).toMatch(pep440);
    expect(prefectCompatibleVersion('1.0.0-rc.2')).toBe('3.6.1+herald.1.0.0.rc.2');
  });

  it('reports health', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('serves Prometheus metrics', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('# TYPE herald_ingest_latency_seconds histogram');
    expect(res.body).toContain('herald_storage_bytes');
  });

  it('serves an OpenAPI 3.1 document with Prefect operation ids, and interactive docs', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.fromEntries(
      Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(([path, methods]) =>
        Object.entries(methods).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op.operationId]),
      ),
    );
    expect(operations).toMatchObject({
      'POST /api/events': 'create_events_events_post',
      'POST /api/events/filter': 'read_events_events_filter_post',
      'GET /api/events/filter/next': 'read_account_events_page_events_filter_next_get',
      'POST /api/events/count-by/{countable}': 'count_account_events_events_count_by__countable__post',
      'GET /api/events/{id}': 'read_event',
      'GET /api/admin/version': 'read_version_admin_version_get',
      'GET /api/health': 'health',
    });
    expect(doc.components.schemas.Event.properties.occurred.format).toBe('date-time');
    const docs = await h.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('GET /api/events/{id}', () => {
  it('returns the stored JSON byte for byte, for any case of the id', async () => {
    const event = testEvent();
    expect((await h.app.inject({ method: 'POST', url: '/api/events', payload: [event] })).statusCode).toBe(204);
    const stored = await h.storage.events.get(String(event.id));
    const res = await h.app.inject({ method: 'GET', url: `/api/events/${String(event.id).toUpperCase()}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toBe(stored!.json);
  });

  it("answers an unknown id with 404 EVENT_NOT_FOUND in Herald's shape", async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/events/0193a5c2-7c7e-7000-8000-00000000dead' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      code: 'EVENT_NOT_FOUND',
      error: 'Not Found',
      message: expect.any(String),
      details: { id: '0193a5c2-7c7e-7000-8000-00000000dead' },
    });
  });

  it('refuses an id that is not a UUID with 422 and a pointer', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/events/not-a-uuid' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      statusCode: 422,
      code: 'QUERY_INVALID',
      details: { issues: [{ in: 'path', pointer: '/id', type: 'uuid_parsing' }] },
    });
    expect(res.json().exception_detail).toBeUndefined();
  });
});

describe('errors outside the routes', () => {
  it('answers unknown routes with 404 ROUTE_NOT_FOUND', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND', error: 'Not Found' });
    const wrongMethod = await h.app.inject({ method: 'DELETE', url: '/api/events' });
    expect(wrongMethod.json().code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers a malformed URL with 400 REQUEST_INVALID', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/events/%zz' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'REQUEST_INVALID' });
  });

  it('hides unexpected failures behind 500 INTERNAL and logs them', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/extra/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ statusCode: 500, code: 'INTERNAL' });
    expect(res.body).not.toContain('secret internals');
    expect(h.logLines.some((l) => l.includes('the secret internals of the failure'))).toBe(true);
  });

  it('serves the extra routes under the same error handling', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/extra/ok' })).json()).toEqual({ extra: true });
  });
});

describe('authentication', () => {
  it('lets every route through while no key exists', async () => {
    expect((await h.app.inject({ method: 'POST', url: '/api/events/filter', payload: { limit: 1 } })).statusCode).toBe(200);
  });

  describe('with a key', () => {
    let key: string;
    beforeAll(async () => {
      key = await h.createKey();
    });
    afterAll(async () => {
      const keys = await h.storage.keys.listKeys();
      for (const k of keys) await revokeApiKey(h.storage.keys, k.id);
    });

    it('refuses a request without credentials: 401 with Prefect and Herald fields', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/events', payload: [testEvent()] });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ exception_message: 'Unauthorized', statusCode: 401, code: 'AUTH_REQUIRED' });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('refuses a wrong key with AUTH_INVALID', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/api/admin/version', headers: { authorization: 'Bearer hk_wrong' } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ exception_message: 'Unauthorized', code: 'AUTH_INVALID' });
    });

    it("accepts the key as Bearer and in Prefect's Basic form", async () => {
      const bearer = await h.app.inject({
        method: 'POST',
        url: '/api/events',
        payload: [testEvent()],
        headers: { authorization: `Bearer ${key}` },
      });
      expect(bearer.statusCode).toBe(204);
      const basic = await h.app.inject({
        method: 'GET',
        url: '/api/admin/version',
        headers: { authorization: `Basic ${Buffer.from(key).toString('base64')}` },
      });
      expect(basic.statusCode).toBe(200);
    });

    it('checks credentials before reading the body', async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/events',
        body: '{not json',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(401);
    });

    it('does not reveal which /api paths exist', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/api/secret-route' });
      expect(res.statusCode).toBe(401);
    });

    it('leaves health, metrics, docs and non-API routes open', async () => {
      expect((await h.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
      expect((await h.app.inject({ method: 'GET', url: '/api/health?probe=1' })).statusCode).toBe(200);
      expect((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
      expect((await h.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
      expect((await h.app.inject({ method: 'GET', url: '/extra/ok' })).statusCode).toBe(200);
    });

    it('never writes a key to the log', async () => {
      h.app.log.info({ req: { headers: { authorization: `Bearer ${key}` } }, headers: { authorization: `Bearer ${key}` } }, 'probe');
      const probe = h.logLines.find((l) => l.includes('"probe"'));
      expect(probe).toContain('[redacted]');
      expect(h.logLines.some((l) => l.includes(key))).toBe(false);
    });
  });
});

describe('over a real HTTP connection', () => {
  let base: string;
  beforeAll(async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
  });

  it('ingests, queries, and follows next_page links as given', async () => {
    const resource = { 'prefect.resource.id': `acme.http.${Date.now()}` };
    const events = Array.from({ length: 5 }, (_, i) => testEvent({ resource, occurred: `2026-08-21T10:00:0${i}Z` }));
    const post = await fetch(`${base}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(post.status).toBe(204);
    const filter = {
      resource: { id: [resource['prefect.resource.id']] },
      occurred: { since: '2026-08-01T00:00:00Z', until: '2026-09-01T00:00:00Z' },
      order: 'ASC',
    };
    let res = await fetch(`${base}/api/events/filter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter, limit: 2 }),
    });
    const seen: string[] = [];
    for (;;) {
      expect(res.status).toBe(200);
      const page = (await res.json()) as { events: { id: string }[]; total: number; next_page: string | null };
      expect(page.total).toBe(5);
      seen.push(...page.events.map((e) => e.id));
      if (!page.next_page) break;
      expect(page.next_page.startsWith(`${base}/api/events/filter/next?page-token=`)).toBe(true);
      res = await fetch(page.next_page);
    }
    expect(seen).toEqual(events.map((e) => e.id));
  });

  it('lets websocket upgrades authenticate in their protocol, but not plain requests to them', async () => {
    const key = await h.createKey();
    try {
      const socket = new WebSocket(`${base.replace('http', 'ws')}/api/extra/socket`);
      const reply = await new Promise<string>((resolve, reject) => {
        socket.on('open', () => socket.send('hi'));
        socket.on('message', (data: Buffer) => resolve(data.toString()));
        socket.on('error', reject);
      });
      socket.close();
      expect(reply).toBe('echo:hi');
      expect((await fetch(`${base}/api/extra/socket`)).status).toBe(401);
      // @fastify/websocket only wraps the routes of its own scope: an upgrade aimed at a plain route
      // is refused, and its socket closed, instead of being answered by the plain handler.
      const refused = new WebSocket(`${base.replace('http', 'ws')}/api/admin/version`, { headers: { authorization: `Bearer ${key}` } });
      refused.on('error', () => {});
      const { status, socket: raw } = await new Promise<{ status: number | undefined; socket: import('node:net').Socket }>(
        (resolve, reject) => {
          refused.on('unexpected-response', (req, res) => resolve({ status: res.resume().statusCode, socket: req.socket! }));
          refused.on('open', () => reject(new Error('upgraded')));
        },
      );
      expect(status).toBe(404);
      // The client leaves its socket open: it closes because the server closed it.
      await new Promise((resolve) => (raw.destroyed ? resolve(null) : raw.once('close', resolve)));
    } finally {
      for (const k of await h.storage.keys.listKeys()) await revokeApiKey(h.storage.keys, k.id);
    }
  });

  it('refuses invalid JSON and oversized requests over the wire', async () => {
    const bad = await fetch(`${base}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('REQUEST_BODY_INVALID_JSON');
  });
});

describe('a storage outage', () => {
  it('turns health and authenticated routes into 503 STORAGE_UNAVAILABLE', async () => {
    const broken = await startHttpApiHarness();
    try {
      await broken.storage.close();
      const res = await broken.app.inject({ method: 'GET', url: '/api/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ statusCode: 503, code: 'STORAGE_UNAVAILABLE' });
      // The key store is unreachable too: the auth check answers 503, not 500.
      const version = await broken.app.inject({ method: 'GET', url: '/api/admin/version' });
      expect(version.statusCode).toBe(503);
      expect(version.json()).toMatchObject({ code: 'STORAGE_UNAVAILABLE', exception_message: 'Service Unavailable' });
    } finally {
      broken.storage.close = async () => {};
      await broken.close();
    }
  });
});
