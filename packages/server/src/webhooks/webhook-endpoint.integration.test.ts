import { createHmac } from 'node:crypto';
import http from 'node:http';
import { CloudEvent, CONSTANTS, emitterFor, httpTransport, Mode } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_EVENT_TEMPLATE, WEBHOOK_TEMPLATE_PRESETS } from './webhook-interpreter.js';
import { startWebhookTestServer, type WebhookTestServer } from '../test-support/webhook-test-server.js';

let server: WebhookTestServer;
beforeAll(async () => {
  server = await startWebhookTestServer();
});
afterAll(async () => {
  await server.close();
});

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('/hooks/{slug} with the template presets', () => {
  it('static: any method, the body ignored, stored with the webhook as a related resource and the default payload', async () => {
    const webhook = await server.createWebhook({ name: 'nightly', template: WEBHOOK_TEMPLATE_PRESETS.static });
    const response = await server.hook(webhook.endpoint, { method: 'GET', headers: { authorization: 'Bearer not-for-templates' } });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    for (const method of ['HEAD', 'DELETE', 'PUT', 'PATCH']) expect((await server.hook(webhook.endpoint, { method })).status).toBe(204);
    const events = await server.events('backup.finished');
    expect(events).toHaveLength(5);
    const get = events.find((e) => (e.payload as { method?: string }).method === 'GET')!;
    expect(get.resource).toEqual({ 'prefect.resource.id': 'infra.backups.nightly', 'prefect.resource.name': 'Nightly backup' });
    expect(get.related).toEqual([{ 'prefect.resource.id': `herald.webhook.${webhook.id}`, 'prefect.resource.role': 'webhook', 'prefect.resource.name': 'nightly' }]);
    expect(get.payload).toMatchObject({ method: 'GET', body: '' });
    expect((get.payload as { headers: Record<string, string> }).headers.authorization).toBeUndefined();
  });

  it('dynamic: values from the body and the headers (any spelling), defaults for missing ones', async () => {
    const webhook = await server.createWebhook({ name: 'ci', template: WEBHOOK_TEMPLATE_PRESETS.dynamic });
    const response = await server.hook(webhook.endpoint, json({ status: 'passed', repo: 'herald', build_id: 42, branch: 'main' }, { 'X-Delivery-ID': 'd-1' }));
    expect(response.status).toBe(204);
    const [event] = await server.events('ci.build.passed');
    expect(event?.resource).toEqual({ 'prefect.resource.id': 'ci.repo.herald.build.42', 'prefect.resource.name': 'herald #42' });
    expect(event?.related[0]).toEqual({ 'prefect.resource.id': 'ci.branch.main', 'prefect.resource.role': 'branch' });
    expect(event?.related[1]?.['prefect.resource.role']).toBe('webhook');
    expect(event?.payload).toEqual({ delivery: 'd-1' });
    expect((await server.hook(webhook.endpoint, json({ repo: 'herald', build_id: 7 }))).status).toBe(204);
    expect(await server.events('ci.build.unknown')).toHaveLength(1);
  });

  it('pass-through, form bodies, query and raw_body', async () => {
    const pass = await server.createWebhook({ name: 'pass', template: '{{ body | tojson }}' });
    const id = '0193a5c2-7c7e-7000-8000-0000000000aa';
    const sent = { id, occurred: '2026-11-20T10:00:00.000Z', event: 'app.passed', resource: { 'prefect.resource.id': 'app.x' }, payload: { n: 1 } };
    expect((await server.hook(pass.endpoint, json(sent))).status).toBe(204);
    const [passed] = await server.events('app.passed');
    expect(passed).toMatchObject({ id, occurred: '2026-11-20T10:00:00Z', payload: { n: 1 } });

    const form = await server.createWebhook({
      name: 'form',
      template: `{"event": "form.{{ body.kind }}", "resource": {"prefect.resource.id": "q.{{ query.team }}"}, "payload": {"tags": {{ query.tag | tojson }}, "raw": {{ raw_body | tojson }}, "header": "{{ headers['CONTENT-TYPE'] }}"}}`,
    });
    const response = await server.hook(`${form.endpoint}?team=core&tag=a&tag=b`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'kind=signup&plan=pro',
    });
    expect(response.status).toBe(204);
    const [event] = await server.events('form.signup');
    expect(event?.resource['prefect.resource.id']).toBe('q.core');
    expect(event?.payload).toEqual({ tags: ['a', 'b'], raw: 'kind=signup&plan=pro', header: 'application/x-www-form-urlencoded' });
  });

  it('reads a body sent without a Content-Type, and one that claims JSON but is not', async () => {
    const webhook = await server.createWebhook({ name: 'raw', template: '{"event": "raw.{{ raw_body | length }}", "resource": {"prefect.resource.id": "r"}, "payload": {"body": {{ body | tojson }}}}' });
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(webhook.endpoint, { method: 'POST', headers: { 'content-length': '5' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end('hello');
    });
    expect(status).toBe(204);
    expect((await server.events('raw.5'))[0]?.payload).toEqual({ body: 'hello' });
    expect((await server.hook(webhook.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' })).status).toBe(204);
    expect((await server.events('raw.5')).map((e) => e.payload.body).sort()).toEqual(['hello', '{"a":'].sort());
  });

  it('answers 400 with a short reason and emits herald.webhook.failed when the output is not a valid event', async () => {
    const webhook = await server.createWebhook({ name: 'broken', template: '{"event": "x.{{ body.name }}", "resource": {}}' });
    const response = await server.hook(webhook.endpoint, json({ name: 'a"b' }));
    expect(response.status).toBe(400);
    expect((await response.text()).length).toBeLessThan(400);
    const invalid = await server.hook(webhook.endpoint, json({ name: 'ok' }));
    expect(invalid.status).toBe(400);
    const failed = (await server.events('herald.webhook.failed')).filter((e) => e.resource['prefect.resource.id'] === `herald.webhook.${webhook.id}`);
    expect(failed.map((e) => (e.payload as { reason: string }).reason).sort()).toEqual(['event', 'json']);
    expect(failed[0]?.payload).toMatchObject({ request: { method: 'POST' } });
  });

  it('answers a bare 404 for an unknown or disabled slug', async () => {
    const unknown = await server.hook('/hooks/AAAAAAAAAAAAAAAAAAAAAA', json({}));
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('');
    const webhook = await server.createWebhook({ name: 'off', template: WEBHOOK_TEMPLATE_PRESETS.static, enabled: false });
    const disabled = await server.hook(webhook.endpoint, { method: 'POST' });
    expect(disabled.status).toBe(404);
    expect(await disabled.text()).toBe('');
  });
});

describe('CloudEvents, sent by the cloudevents SDK', () => {
  const cloudEvent = (n: number) =>
    new CloudEvent({
      id: `evt-${n}`,
      source: 'https://example.com/storage',
      type: 'com.example.object.created',
      subject: `bucket/object-${n}`,
      time: '2026-11-21T08:00:00.000Z',
      data: { size: n },
      region: 'eu',
    });

  it('structured and binary modes map to the spec A8 event, and a redelivery is absorbed', async () => {
    const webhook = await server.createWebhook({ name: 'ce', template: CLOUD_EVENT_TEMPLATE });
    for (const [mode, n] of [[Mode.STRUCTURED, 1], [Mode.BINARY, 2], [Mode.BINARY, 2]] as const) {
      const answer = (await emitterFor(httpTransport(webhook.endpoint), { mode })(cloudEvent(n))) as { body?: string };
      expect(answer.body ?? '').toBe('');
    }
    const events = await server.events('com.example.object.created');
    expect(events).toHaveLength(2);
    const one = events.find((e) => e.resource['prefect.resource.id'] === 'bucket/object-1')!;
    expect(one.occurred).toBe('2026-11-21T08:00:00Z');
    expect(one.payload).toEqual({
      data: { size: 1 },
      cloudevents: expect.objectContaining({ id: 'evt-1', source: 'https://example.com/storage', type: 'com.example.object.created', specversion: '1.0', region: 'eu' }),
    });
    expect(one.related.at(-1)?.['prefect.resource.role']).toBe('webhook');
  });

  it('batch mode stores one event per CloudEvent, all or none', async () => {
    const webhook = await server.createWebhook({ name: 'ce-batch', template: CLOUD_EVENT_TEMPLATE });
    const send = httpTransport(webhook.endpoint);
    const batch = [cloudEvent(10), new CloudEvent({ id: 'x', source: 'https://example.com/q', type: 'com.example.queue.drained' })];
    await send({ headers: { 'content-type': CONSTANTS.MIME_CE_BATCH }, body: JSON.stringify(batch) }, {});
    expect(await server.events('com.example.queue.drained')).toHaveLength(1);
    expect((await server.events('com.example.object.created')).some((e) => e.resource['prefect.resource.id'] === 'bucket/object-10')).toBe(true);
    const bad = await server.hook(webhook.endpoint, { method: 'POST', headers: { 'content-type': CONSTANTS.MIME_CE_BATCH }, body: JSON.stringify([{ id: 'y', type: 'a.b' }]) });
    expect(bad.status).toBe(400);
  });

  it('answers the Azure Event Grid validation handshakes', async () => {
    const webhook = await server.createWebhook({ name: 'azure', template: CLOUD_EVENT_TEMPLATE, require_api_key: true });
    const options = await server.hook(webhook.endpoint, { method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });
    expect(options.status).toBe(200);
    expect(options.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
    const validation = [{ id: '1', eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent', data: { validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' } }];
    const response = await server.hook(webhook.endpoint, json(validation, { 'aeg-event-type': 'SubscriptionValidation' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' });
  });
});

describe('protection', () => {
  it('requires the webhook\'s own API key, never Herald\'s', async () => {
    const webhook = await server.createWebhook({ name: 'keyed', template: WEBHOOK_TEMPLATE_PRESETS.static, require_api_key: true });
    expect(webhook.api_key).toMatch(/^hwk_/);
    expect((await server.api('GET', `/api/webhooks/${webhook.id}`)).body.api_key).toBeUndefined();
    const missing = await server.hook(webhook.endpoint, { method: 'POST' });
    expect(missing.status).toBe(401);
    expect((await server.hook(webhook.endpoint, { method: 'POST', headers: { authorization: 'Bearer hwk_wrong' } })).status).toBe(401);
    expect((await server.hook(webhook.endpoint, { method: 'POST', headers: { authorization: `Bearer ${webhook.api_key}` } })).status).toBe(204);
    const failed = (await server.events('herald.webhook.failed')).filter((e) => e.resource['prefect.resource.id'] === `herald.webhook.${webhook.id}`);
    expect(failed).toHaveLength(2);
    expect(JSON.stringify(failed)).not.toContain('hwk_wrong');
  });

  const sign = {
    github: (secret: string, body: string) => ({ 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` }),
    stripe: (secret: string, body: string, t: number) => ({ 'stripe-signature': `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}` }),
    'standard-webhooks': (secret: string, body: string, t: number) => {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      const signature = createHmac('sha256', key).update(`msg_1.${t}.${body}`).digest('base64');
      return { 'webhook-id': 'msg_1', 'webhook-timestamp': String(t), 'webhook-signature': `v1,${signature}` };
    },
  };
  const secrets = { github: 'gh-secret', stripe: 'whsec_stripe_secret', 'standard-webhooks': `whsec_${Buffer.from('a 24 byte key for tests!').toString('base64')}` };

  for (const preset of ['github', 'stripe', 'standard-webhooks'] as const) {
    it(`${preset}: accepts a valid signature and refuses wrong, missing and stale ones before rendering`, async () => {
      const webhook = await server.createWebhook({ name: `signed-${preset}`, template: '{"event": "signed.{{ body.n }}", "resource": {"prefect.resource.id": "s"}}', signature: { preset, secret: secrets[preset] } });
      expect(webhook.signature).toEqual({ preset, tolerance_seconds: 300, has_secret: true });
      expect(JSON.stringify(webhook)).not.toContain(secrets[preset]);
      const now = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({ n: preset });
      const post = (headers: Record<string, string>) => server.hook(webhook.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect((await post(sign[preset](secrets[preset], body, now))).status).toBe(204);
      expect((await post(sign[preset]('another secret', body, now))).status).toBe(401);
      expect((await post({})).status).toBe(401);
      if (preset !== 'github') expect((await post(sign[preset](secrets[preset], body, now - 3600))).status).toBe(401);
      const signedEvents = await server.events(`signed.${preset}`);
      expect(signedEvents).toHaveLength(1);
      const [stored] = signedEvents;
      const signatureHeader = { github: 'x-hub-signature-256', stripe: 'stripe-signature', 'standard-webhooks': 'webhook-signature' }[preset];
      // Neither the event (its default payload holds the headers) nor the capture keeps the signature.
      expect(Object.keys((stored!.payload as { headers: Record<string, string> }).headers)).not.toContain(signatureHeader);
      const [accepted] = ((await server.api('GET', `/api/webhooks/${webhook.id}/requests`)).body as { outcome: string; headers: Record<string, string> }[]).filter(
        (r) => r.outcome === 'accepted',
      );
      expect(accepted!.headers[signatureHeader]).toBe('[redacted]');
      const reasons = (await server.events('herald.webhook.failed'))
        .filter((e) => e.resource['prefect.resource.id'] === `herald.webhook.${webhook.id}`)
        .map((e) => (e.payload as { error: string }).error);
      expect(reasons.sort()).toEqual(
        [
          `the ${preset} signature does not match (another secret, or an altered request)`,
          `the ${preset} signature is missing`,
          ...(preset === 'github' ? [] : [`the ${preset} signature is stale: its timestamp is outside the tolerance`]),
        ].sort(),
      );
    });
  }

  it('rate-limits each webhook with 429 and Retry-After', async () => {
    const webhook = await server.createWebhook({ name: 'slow', template: WEBHOOK_TEMPLATE_PRESETS.static, rate_limit: 0.5 });
    expect((await server.hook(webhook.endpoint, { method: 'POST' })).status).toBe(204);
    const limited = await server.hook(webhook.endpoint, { method: 'POST' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('rotation and disabling', () => {
  it('rotation invalidates the old URL at once and keeps the configuration', async () => {
    const webhook = await server.createWebhook({ name: 'rotating', description: 'keep me', template: WEBHOOK_TEMPLATE_PRESETS.static });
    const { status, body: rotated } = await server.api('POST', `/api/webhooks/${webhook.id}/rotate`);
    expect(status).toBe(200);
    expect(rotated.slug).not.toBe(webhook.slug);
    expect(rotated.slug).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(rotated).toMatchObject({ name: 'rotating', description: 'keep me', template: webhook.template, enabled: true });
    expect((await server.hook(webhook.endpoint, { method: 'POST' })).status).toBe(404);
    expect((await server.hook(rotated.endpoint, { method: 'POST' })).status).toBe(204);
    const [event] = (await server.events('herald.webhook.rotated')).filter((e) => e.resource['prefect.resource.id'] === `herald.webhook.${webhook.id}`);
    expect(JSON.stringify(event)).not.toContain(rotated.slug);
  });

  it('disable and enable take effect at once', async () => {
    const webhook = await server.createWebhook({ name: 'toggled', template: WEBHOOK_TEMPLATE_PRESETS.static });
    expect((await server.hook(webhook.endpoint, { method: 'POST' })).status).toBe(204);
    expect((await server.api('PATCH', `/api/webhooks/${webhook.id}`, { enabled: false })).body.enabled).toBe(false);
    expect((await server.hook(webhook.endpoint, { method: 'POST' })).status).toBe(404);
    await server.api('PATCH', `/api/webhooks/${webhook.id}`, { enabled: true });
    expect((await server.hook(webhook.endpoint, { method: 'POST' })).status).toBe(204);
  });
});
