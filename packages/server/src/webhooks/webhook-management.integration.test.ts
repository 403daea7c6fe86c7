import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_TEMPLATE_PRESETS } from './webhook-interpreter.js';
import { startWebhookTestServer, type WebhookTestServer } from '../test-support/webhook-test-server.js';

let server: WebhookTestServer;
beforeAll(async () => {
  server = await startWebhookTestServer({ env: { HERALD_WEBHOOK_MAX_BODY_BYTES: '2048', HERALD_WEBHOOK_CAPTURE_SIZE: '3' } });
});
afterAll(async () => {
  await server.close();
});

const template = '{"event": "m.{{ body.kind }}", "resource": {"prefect.resource.id": "m.{{ body.id }}"}}';
const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('the management API', () => {
  it('creates, reads, lists and filters, updates, and deletes, emitting an event after each write', async () => {
    const created = await server.createWebhook({ name: 'orders', description: 'shop', template });
    expect(created).toMatchObject({ name: 'orders', description: 'shop', enabled: true, template, require_api_key: false, signature: null, rate_limit: null });
    expect(created.endpoint).toBe(`${server.url}/hooks/${created.slug}`);
    await server.createWebhook({ name: 'other', template: { event: 'literal', resource: { 'prefect.resource.id': 'x' } } });

    expect((await server.api('GET', `/api/webhooks/${created.id}`)).body).toEqual(created);
    expect((await server.api('GET', '/api/webhooks?name=orders')).body.map((w: { id: string }) => w.id)).toEqual([created.id]);
    expect((await server.api('POST', '/api/webhooks/filter', { webhooks: { name: { any_: ['other'] } } })).body[0].template).toBe(
      '{"event":"literal","resource":{"prefect.resource.id":"x"}}',
    );
    expect((await server.api('GET', '/api/webhooks?enabled=false')).body).toEqual([]);

    const put = await server.api('PUT', `/api/webhooks/${created.id}`, { name: 'orders-v2', template: WEBHOOK_TEMPLATE_PRESETS.static });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'orders-v2', description: '', slug: created.slug });
    const patched = await server.api('PATCH', `/api/webhooks/${created.id}`, { enabled: false });
    expect(patched.body).toMatchObject({ name: 'orders-v2', enabled: false });

    expect((await server.api('DELETE', `/api/webhooks/${created.id}`)).status).toBe(204);
    expect((await server.api('GET', `/api/webhooks/${created.id}`)).body.code).toBe('WEBHOOK_NOT_FOUND');
    expect((await server.api('DELETE', `/api/webhooks/${created.id}`)).status).toBe(404);

    const resource = `herald.webhook.${created.id}`;
    const actions = async (name: string) => (await server.events(name)).filter((e) => e.resource['prefect.resource.id'] === resource);
    expect(await actions('herald.webhook.created')).toHaveLength(1);
    const updated = await actions('herald.webhook.updated');
    expect(updated.map((e) => (e.payload as { changed: string[] }).changed.sort().join(',')).sort()).toEqual(['description,name,template', 'enabled']);
    expect(await actions('herald.webhook.deleted')).toHaveLength(1);
  });

  it('keeps the API key and the signature on a PUT that does not name them, and serves the presets', async () => {
    const webhook = await server.createWebhook({ name: 'guarded', template, require_api_key: true, signature: { preset: 'github', secret: 's' } });
    const put = await server.api('PUT', `/api/webhooks/${webhook.id}`, { name: 'guarded', description: 'd', template });
    expect(put.body).toMatchObject({ require_api_key: true, api_key_prefix: webhook.api_key_prefix, signature: { preset: 'github' } });
    expect(put.body.api_key).toBeUndefined();
    const presets = await server.api('GET', '/api/webhooks/presets');
    expect(Object.keys(presets.body)).toEqual(['static', 'dynamic', 'cloudevent']);
  });

  it('refuses invalid bodies and templates with 422 and pointers', async () => {
    const missing = await server.api('POST', '/api/webhooks', { name: 'x' });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'WEBHOOK_INVALID', details: { issues: [{ pointer: '/template', type: 'missing' }] } });
    const badTemplate = await server.api('POST', '/api/webhooks', { name: 'x', template: '{{ body.x }' });
    expect(badTemplate.body.code).toBe('TEMPLATE_INVALID');
    const slug = await server.api('POST', '/api/webhooks', { name: 'x', template, slug: 'mine', secret: 1 });
    expect(slug.body.details.issues.map((i: { pointer: string }) => i.pointer)).toEqual(['/secret']);
    const signature = await server.api('POST', '/api/webhooks', { name: 'x', template, signature: { preset: 'standard-webhooks', secret: 'not base64!' } });
    expect(signature.body.details.issues[0].pointer).toBe('/signature/secret');
  });

  it('needs Herald\'s API key on /api/webhooks once keys exist, while /hooks needs none', async () => {
    const keyed = await startWebhookTestServer({ withApiKey: true });
    try {
      const webhook = await keyed.createWebhook({ name: 'open', template: WEBHOOK_TEMPLATE_PRESETS.static });
      expect((await fetch(`${keyed.url}/api/webhooks`)).status).toBe(401);
      expect((await fetch(`${keyed.url}/api/webhooks/${webhook.id}/rotate`, { method: 'POST' })).status).toBe(401);
      expect((await keyed.hook(webhook.endpoint, { method: 'POST', headers: { authorization: 'Bearer nonsense' } })).status).toBe(204);
      expect((await keyed.hook('/hooks', { method: 'POST' })).status).toBe(404);
    } finally {
      await keyed.close();
    }
  });
});

describe('the size cap', () => {
  it('answers 413 past the configured body size, declared or not', async () => {
    const webhook = await server.createWebhook({ name: 'capped', template: WEBHOOK_TEMPLATE_PRESETS.static });
    expect((await server.hook(webhook.endpoint, { method: 'POST', body: 'x'.repeat(2048) })).status).toBe(204);
    expect((await server.hook(webhook.endpoint, { method: 'POST', body: 'x'.repeat(2049) })).status).toBe(413);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('y'.repeat(3000)));
        controller.close();
      },
    });
    const streamed = await server.hook(webhook.endpoint, { method: 'POST', body: chunked, duplex: 'half' });
    expect(streamed.status).toBe(413);
  });

  it('answers 413 before the rate limit, and an oversized request takes no token', async () => {
    const webhook = await server.createWebhook({ name: 'capped and limited', template: WEBHOOK_TEMPLATE_PRESETS.static, rate_limit: 0.5 });
    expect((await server.hook(webhook.endpoint, { method: 'POST', body: 'x'.repeat(2049) })).status).toBe(413);
    // The bucket holds one token: it is still there for a request that fits.
    expect((await server.hook(webhook.endpoint, { method: 'POST', body: '{}' })).status).toBe(204);
    expect((await server.hook(webhook.endpoint, { method: 'POST', body: 'x'.repeat(2049) })).status).toBe(413);
    expect((await server.hook(webhook.endpoint, { method: 'POST', body: '{}' })).status).toBe(429);
  });
});

describe('capture, replay and preview', () => {
  it('keeps the last N requests with redacted credentials, outcome and event ids', async () => {
    const webhook = await server.createWebhook({ name: 'captured', template });
    for (let n = 1; n <= 4; n++) {
      const status = (await server.hook(`${webhook.endpoint}?n=${n}`, post({ kind: 'k', id: n }, { authorization: 'Bearer secret-token', cookie: 'c=1' }))).status;
      expect(status).toBe(204);
    }
    expect((await server.hook(webhook.endpoint, post({ kind: 'a"b', id: 5 }))).status).toBe(400);
    const { status, body: requests } = await server.api('GET', `/api/webhooks/${webhook.id}/requests`);
    expect(status).toBe(200);
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({ outcome: 'failed', status: 400, reason: 'json', event_ids: [] });
    expect(requests[1]).toMatchObject({ outcome: 'accepted', status: 204, method: 'POST', query: 'n=4', body: '{"kind":"k","id":4}', body_encoding: 'utf8' });
    expect(requests[1].headers.authorization).toBe('[redacted]');
    expect(requests[1].headers.cookie).toBe('[redacted]');
    const [stored] = (await server.events('m.k')).filter((e) => e.id === requests[1].event_ids[0]);
    expect(stored?.resource['prefect.resource.id']).toBe('m.4');
    expect((await server.api('GET', `/api/webhooks/${webhook.id}/requests?limit=1`)).body).toHaveLength(1);
  });

  it('answers a preview of a webhook that captured nothing with 404 and what to do', async () => {
    const webhook = await server.createWebhook({ name: 'unused', template });
    const preview = await server.api('POST', `/api/webhooks/${webhook.id}/preview`, {});
    expect(preview.status).toBe(404);
    expect(preview.body).toMatchObject({ code: 'WEBHOOK_REQUEST_NOT_FOUND', message: expect.stringContaining('captured no request yet') });
  });

  it('replays a captured request through the current template, and previews without emitting', async () => {
    const webhook = await server.createWebhook({ name: 'replayed', template });
    await server.hook(webhook.endpoint, post({ kind: 'first', id: 'r1' }));
    const [captured] = (await server.api('GET', `/api/webhooks/${webhook.id}/requests`)).body;
    await server.api('PATCH', `/api/webhooks/${webhook.id}`, { template: '{"event": "replayed.{{ body.kind }}", "resource": {"prefect.resource.id": "r.{{ body.id }}"}}' });

    const preview = await server.api('POST', `/api/webhooks/${webhook.id}/preview`, { request_id: captured.id });
    expect(preview.body).toMatchObject({ ok: true, events: [{ event: 'replayed.first', resource: { 'prefect.resource.id': 'r.r1' } }] });
    const inline = await server.api('POST', `/api/webhooks/${webhook.id}/preview`, {
      template: '{"event": "{{ method }}.{{ query.q }}", "resource": {}}',
      request: { method: 'put', query: 'q=1', body: { a: 1 } },
    });
    expect(inline.body).toMatchObject({ ok: false, reason: 'event', rendered: '{"event": "PUT.1", "resource": {}}' });
    expect(await server.events('replayed.first')).toHaveLength(0);
    expect((await server.api('POST', `/api/webhooks/${webhook.id}/preview`, {})).body).toMatchObject({ ok: true, events: [{ event: 'replayed.first' }] });

    const replay = await server.api('POST', `/api/webhooks/${webhook.id}/requests/${captured.id}/replay`);
    expect(replay.body).toMatchObject({ outcome: 'accepted', event_ids: [expect.any(String)] });
    const [event] = await server.events('replayed.first');
    expect(event?.id).toBe(replay.body.event_ids[0]);
    expect((await server.api('POST', `/api/webhooks/${webhook.id}/requests/00000000-0000-0000-0000-000000000000/replay`)).body.code).toBe(
      'WEBHOOK_REQUEST_NOT_FOUND',
    );
  });
});

describe('template injection through the real endpoint', () => {
  const payloads = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    '{{ self.__init__.__globals__.__builtins__ }}',
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "{{ [].constructor.constructor('return process')().exit() }}",
    "{{ body.constructor.constructor('return process.env')() }}",
    '{{ headers.__proto__ }}{{ config.items() }}',
    "{% for x in range(100000000) %}{{ x }}{% endfor %}",
    "{{ 'x' * 100000000 }}",
  ];

  it('every payload fails harmlessly: 400 and herald.webhook.failed, the process intact', async () => {
    const ids: string[] = [];
    for (const [n, payload] of payloads.entries()) {
      const created = await server.createWebhook({ name: `inject-${n}`, template: `{"event": "inject", "resource": {"prefect.resource.id": "${payload}"}}` });
      ids.push(`herald.webhook.${created.id}`);
      const response = await server.hook(created.endpoint, post({ a: 1 }));
      expect(response.status).toBe(400);
      expect(await response.text()).not.toMatch(/uid=|PATH|HOME/);
    }
    const failed = (await server.events('herald.webhook.failed')).filter((e) => ids.includes(e.resource['prefect.resource.id']!));
    expect(failed).toHaveLength(payloads.length);
    expect(await server.events('inject')).toHaveLength(0);
    expect((await server.api('GET', '/api/webhooks')).status).toBe(200);
  });
});
