import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempPostgresDatabase, type TempPostgres } from '../test-support/temp-resources.js';
import { startWebhookTestServer, type WebhookTestServer } from '../test-support/webhook-test-server.js';
import { WEBHOOK_TEMPLATE_PRESETS } from './webhook-interpreter.js';

let database: TempPostgres;
let server: WebhookTestServer;
beforeAll(async () => {
  database = await createTempPostgresDatabase('herald_webhooks_e2e');
  server = await startWebhookTestServer({ databaseUrl: database.url });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

describe('webhooks on PostgreSQL', () => {
  it('stores the event of a request, captures it, rotates, and keeps the signing secret sealed', async () => {
    const webhook = await server.createWebhook({ name: 'pg', template: WEBHOOK_TEMPLATE_PRESETS.dynamic, signature: { preset: 'github', secret: 'pg-secret' } });
    const body = JSON.stringify({ status: 'ok', repo: 'pg', build_id: 1 });
    const { createHmac } = await import('node:crypto');
    const signature = `sha256=${createHmac('sha256', 'pg-secret').update(body).digest('hex')}`;
    const response = await server.hook(webhook.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
    expect(response.status).toBe(204);
    const [event] = await server.events('ci.build.ok');
    expect(event?.resource['prefect.resource.id']).toBe('ci.repo.pg.build.1');
    const [captured] = (await server.api('GET', `/api/webhooks/${webhook.id}/requests`)).body;
    expect(captured).toMatchObject({ outcome: 'accepted', event_ids: [event?.id] });
    const rotated = (await server.api('POST', `/api/webhooks/${webhook.id}/rotate`)).body;
    expect((await server.hook(webhook.endpoint, { method: 'POST' })).status).toBe(404);
    expect((await server.hook(rotated.endpoint, { method: 'POST', headers: { 'x-hub-signature-256': signature }, body })).status).toBe(204);
  });
});
