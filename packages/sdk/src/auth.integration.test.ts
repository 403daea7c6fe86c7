import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldApiError, HeraldClientError } from './herald-api-error.js';
import { createHeraldClient, type HeraldClient } from './herald-client.js';
import { startTestHerald, type TestHerald } from '../../../test/support/test-herald.js';

let herald: TestHerald;
const clients: HeraldClient[] = [];

function client(apiKey: string | undefined, reported: HeraldClientError[] = []): HeraldClient {
  const c = createHeraldClient({ url: herald.url, apiKey, flushOnExit: false, onError: (e) => reported.push(e) });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  herald = await startTestHerald({ withApiKey: true });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ timeoutMs: 1_000 }).catch(() => undefined)));
  await herald.close();
});

describe('API keys', () => {
  it('emits, queries and subscribes with the right key', async () => {
    const c = client(herald.apiKey);
    const subscription = c.subscribe({ resource: { id: ['auth.ok'] } }, { backfill: false });
    await subscription.ready();
    const receipt = await c.emitEvent({ event: 'test.auth', resource: { 'prefect.resource.id': 'auth.ok' } });
    expect(receipt.result).toBe('inserted');
    expect((await c.getEvent(receipt.id))?.id).toBe(receipt.id);
    const first = await subscription.next();
    expect(first.value?.id).toBe(receipt.id);
    await subscription.close();
  });

  it('fails loudly on the ingest socket with a wrong key: every pending event rejects, onError hears it', async () => {
    const reported: HeraldClientError[] = [];
    const c = client('hk_wrong', reported);
    const results = await Promise.allSettled([1, 2, 3].map((i) => c.emitEvent({ event: 'test.auth', resource: { 'prefect.resource.id': `auth.bad.${i}` } })));
    expect(results.map((r) => (r.status === 'rejected' && r.reason instanceof HeraldApiError ? [r.reason.status, r.reason.code] : r.status))).toEqual([
      [401, 'AUTH_INVALID'],
      [401, 'AUTH_INVALID'],
      [401, 'AUTH_INVALID'],
    ]);
    expect(reported.map((e) => e.code)).toEqual(['AUTH_INVALID']);
    expect(c.pending).toBe(0);
  });

  it('refuses HTTP calls and subscriptions without a key', async () => {
    const c = client(undefined);
    await expect(c.queryPage()).rejects.toMatchObject({ status: 401, code: 'AUTH_REQUIRED' });
    await expect(c.subscribe().next()).rejects.toMatchObject({ status: 401, code: 'AUTH_REQUIRED' });
  });
});
