import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, createTempPostgresDatabase } from '../test-support/temp-resources.js';
import type { CapturedRequestRow, Storage, WebhookRecord } from './ports.js';
import { openPostgresStorage } from './postgres/index.js';
import { openSqliteStorage } from './sqlite/index.js';

const webhook = (n: number, overrides: Partial<WebhookRecord> = {}): WebhookRecord => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  name: `hook ${n}`,
  description: '',
  enabled: true,
  template: '{"event": "x", "resource": {"prefect.resource.id": "y"}}',
  slug: `slug-${n}`.padEnd(22, 'x'),
  apiKeyHash: null,
  apiKeyPrefix: null,
  signature: null,
  rateLimit: null,
  created: `2026-11-0${n}T00:00:00.000Z`,
  updated: `2026-11-0${n}T00:00:00.000Z`,
  ...overrides,
});

const capture = (webhookId: string, n: number): CapturedRequestRow => ({ id: `req-${webhookId.slice(-1)}-${String(n).padStart(3, '0')}`, webhookId, received: 1_000_000 + n, record: JSON.stringify({ n }) });

const dialects = [
  {
    name: 'sqlite',
    async open() {
      const dir = createTempDir('herald-webhook-store-');
      return { storage: await openSqliteStorage({ dataDir: dir.path }), remove: async () => dir.remove() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const database = await createTempPostgresDatabase('herald_webhooks');
      return { storage: await openPostgresStorage({ url: database.url, maxConnections: 2 }), remove: () => database.drop() };
    },
  },
];

describe.each(dialects)('WebhookStore on $name', (dialect) => {
  let storage: Storage;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    ({ storage, remove } = await dialect.open());
  });
  afterAll(async () => {
    await storage.close();
    await remove();
  });

  it('stores webhooks, finds them by id and slug, lists them in creation order, updates and deletes them', async () => {
    const signed = webhook(2, { signature: { preset: 'stripe', sealedSecret: 'v1.sealed', toleranceSeconds: 300 }, apiKeyHash: 'a'.repeat(64), apiKeyPrefix: 'hwk_abcd', rateLimit: 2.5 });
    await storage.webhooks.insertWebhook(signed);
    await storage.webhooks.insertWebhook(webhook(1));
    expect(await storage.webhooks.getWebhook(signed.id)).toEqual(signed);
    expect(await storage.webhooks.findWebhookBySlug(webhook(1).slug)).toEqual(webhook(1));
    expect(await storage.webhooks.findWebhookBySlug('nope')).toBeNull();
    expect((await storage.webhooks.listWebhooks()).map((w) => w.id)).toEqual([webhook(1).id, signed.id]);
    const changed = { ...signed, enabled: false, slug: 'rotated'.padEnd(22, 'y'), signature: null, updated: '2026-11-09T00:00:00.000Z' };
    expect(await storage.webhooks.updateWebhook(changed)).toBe(true);
    expect(await storage.webhooks.getWebhook(signed.id)).toEqual(changed);
    expect(await storage.webhooks.findWebhookBySlug(signed.slug)).toBeNull();
    expect(await storage.webhooks.updateWebhook(webhook(9))).toBe(false);
    await expect(storage.webhooks.insertWebhook({ ...webhook(3), slug: webhook(1).slug })).rejects.toThrow();
  });

  it('keeps the newest N captured requests of each webhook, newest first, and deletes them with their webhook', async () => {
    const [a, b] = [webhook(1).id, webhook(2).id];
    await storage.webhooks.appendCapturedRequests([1, 2, 3].map((n) => capture(a, n)), 3);
    await storage.webhooks.appendCapturedRequests([...[4, 5].map((n) => capture(a, n)), capture(b, 1)], 3);
    expect((await storage.webhooks.listCapturedRequests(a, 10)).map((r) => r.id)).toEqual(['req-1-005', 'req-1-004', 'req-1-003']);
    expect(await storage.webhooks.listCapturedRequests(a, 1)).toEqual([capture(a, 5)]);
    expect(await storage.webhooks.getCapturedRequest(a, 'req-1-004')).toEqual(capture(a, 4));
    expect(await storage.webhooks.getCapturedRequest(b, 'req-1-004')).toBeNull();
    expect(await storage.webhooks.deleteWebhook(a)).toBe(true);
    expect(await storage.webhooks.listCapturedRequests(a, 10)).toEqual([]);
    expect(await storage.webhooks.listCapturedRequests(b, 10)).toHaveLength(1);
    expect(await storage.webhooks.deleteWebhook(a)).toBe(false);
  });
});
