import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApiKey, openStorage } from '@herald/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from './support/test-herald.js';

// Prefect's own Python client (installed by scripts/ensure-prefect-client.sh, which `npm test` runs).
const python = fileURLToPath(new URL('../.cache/prefect-venv/bin/python', import.meta.url));
const script = fileURLToPath(new URL('./prefect-client/compat.py', import.meta.url));

function runPrefect(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(python, [script], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

async function storedNames(herald: TestHerald, prefix: string, key?: string): Promise<string[]> {
  const res = await fetch(`${herald.url}/api/events/filter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ filter: { event: { prefix: [prefix] } }, limit: 50 }),
  });
  return ((await res.json()) as { events: { event: string }[] }).events.map((e) => e.event).sort();
}

describe("Prefect's own Python client against Herald", () => {
  let herald: TestHerald;
  beforeAll(async () => {
    herald = await startTestHerald();
  });
  afterAll(() => herald.close());

  it('emits over /api/events/in, streams live over /api/events/out, and emit_event is stored', async () => {
    const prefix = 'herald.compat.open.';
    const run = await runPrefect({ PREFECT_API_URL: `${herald.url}/api`, COMPAT_PREFIX: prefix });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { streamed: string[]; emit_event_id: string | null };
    expect(result.streamed.sort()).toEqual([`${prefix}client.0`, `${prefix}client.1`, `${prefix}client.2`]);
    expect(result.emit_event_id).not.toBeNull();
    expect(await storedNames(herald, prefix)).toEqual([`${prefix}client.0`, `${prefix}client.1`, `${prefix}client.2`, `${prefix}emit-event`]);
  }, 120_000);

  it('authenticates with a Herald key as PREFECT_API_AUTH_STRING, and is refused without it', async () => {
    const storage = await openStorage(herald.herald.config.storage, herald.herald.logger);
    const { key } = await createApiKey(storage.keys, { name: 'prefect' });
    await storage.close();
    // The authenticator caches the key list for up to 2 s.
    await new Promise((r) => setTimeout(r, 2100));
    const prefix = 'herald.compat.auth.';
    const refused = await runPrefect({ PREFECT_API_URL: `${herald.url}/api`, COMPAT_PREFIX: prefix });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('401');
    const allowed = await runPrefect({ PREFECT_API_URL: `${herald.url}/api`, COMPAT_PREFIX: prefix, PREFECT_API_AUTH_STRING: key });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await storedNames(herald, prefix, key)).toHaveLength(4);
  }, 180_000);
});
