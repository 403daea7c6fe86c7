import type { ReceivedEvent } from '@herald/core';
import { pino } from 'pino';
import { startHerald, type Herald } from '../app.js';
import { createApiKey } from '../auth/api-keys.js';
import { loadConfig } from '../config/config.js';
import { openStorage } from '../storage/open-storage.js';
import { createTempDir, type TempDir } from './temp-resources.js';

/** A real Herald on 127.0.0.1 (SQLite in a temp dir, or the given PostgreSQL URL), with helpers for webhook tests. */
export interface WebhookTestServer {
  herald: Herald;
  url: string;
  /** Herald's API key, when the server was started with `withApiKey`; `api()` sends it. */
  apiKey: string | null;
  /** JSON request to the management API; resolves with status and parsed body. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of many shapes
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Creates a webhook and returns its view (with `api_key` when issued). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the webhook view, read field by field
  createWebhook(body: Record<string, unknown>): Promise<any>;
  /** A request to an endpoint URL or path. */
  hook(pathOrUrl: string, init?: RequestInit): Promise<Response>;
  /** Events with this name (newest first). */
  events(name: string): Promise<ReceivedEvent[]>;
  close(): Promise<void>;
}

export async function startWebhookTestServer(
  options: { env?: NodeJS.ProcessEnv; databaseUrl?: string; withApiKey?: boolean } = {},
): Promise<WebhookTestServer> {
  const dir: TempDir = createTempDir('herald-webhooks-');
  let apiKey: string | null = null;
  if (options.withApiKey) {
    const storage = await openStorage(loadConfig({ dataDir: dir.path, databaseUrl: options.databaseUrl ?? null }, {}).storage, pino({ level: 'silent' }));
    try {
      apiKey = (await createApiKey(storage.keys, { name: 'test' })).key;
    } finally {
      await storage.close();
    }
  }
  const herald = await startHerald({
    port: 0,
    dataDir: dir.path,
    logger: pino({ level: 'silent' }),
    env: { HERALD_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), ...options.env },
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
  });
  const url = herald.url;
  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(url + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }
  return {
    herald,
    url,
    apiKey,
    api,
    async createWebhook(body) {
      const { status, body: created } = await api('POST', '/api/webhooks', body);
      if (status !== 201) throw new Error(`create answered ${status}: ${JSON.stringify(created)}`);
      return created;
    },
    hook: (pathOrUrl, init) => fetch(pathOrUrl.startsWith('http') ? pathOrUrl : url + pathOrUrl, init),
    async events(name) {
      const { status, body } = await api('POST', '/api/events/filter', { filter: { event: { name: [name] } }, limit: 200 });
      if (status !== 200) throw new Error(`query answered ${status}`);
      return body.events as ReceivedEvent[];
    },
    async close() {
      await herald.close();
      dir.remove();
    },
  };
}
