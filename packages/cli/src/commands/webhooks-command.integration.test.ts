import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { captureIo } from '../test-support/capture-io.js';
import { startTestHerald, type TestHerald } from '../../../../test/support/test-herald.js';

let herald: TestHerald;
beforeAll(async () => {
  herald = await startTestHerald();
});
afterAll(async () => {
  await herald.close();
});

async function run(args: string[], options: Parameters<typeof captureIo>[0] = {}) {
  const io = captureIo({ ...options, env: { HERALD_URL: herald.url, ...options.env } });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

async function countEvents(name: string): Promise<number> {
  const res = await fetch(`${herald.url}/api/events/filter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filter: { event: { name: [name] } }, limit: 0 }),
  });
  return ((await res.json()) as { total: number }).total;
}

const template = '{"event": "cli.{{ body.kind }}", "resource": {"prefect.resource.id": "cli.{{ body.id }}"}}';

describe('herald webhooks', () => {
  it('creates, lists, disables and enables, rotates, shows requests, replays and deletes', async () => {
    const created = await run(['webhooks', 'create', '--name', 'cli-hook', '--template-file', '-', '--require-api-key'], { stdin: template });
    expect(created.code).toBe(0);
    const endpoint = created.out.trim();
    expect(endpoint).toMatch(/\/hooks\/[A-Za-z0-9_-]{22}$/);
    const key = /API key \(shown once.*\): (hwk_\S+)/.exec(created.err)?.[1];
    expect(key).toBeDefined();

    const sent = await fetch(endpoint, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"kind":"ran","id":1}' });
    expect(sent.status).toBe(204);

    const listed = await run(['webhooks', 'ls']);
    expect(listed.out).toContain('cli-hook');
    expect(listed.out).toContain('api-key');

    expect((await run(['webhooks', 'disable', 'cli-hook'])).out).toMatch(/^disabled /);
    expect((await fetch(endpoint, { method: 'POST' })).status).toBe(404);
    expect((await run(['webhooks', 'enable', 'cli-hook'])).out).toMatch(/^enabled /);

    const requests = await run(['webhooks', 'requests', 'cli-hook', '--json']);
    const [captured] = requests.out.trim().split('\n').map((line) => JSON.parse(line) as { id: string; outcome: string; headers: Record<string, string> });
    expect(captured).toMatchObject({ outcome: 'accepted', headers: { authorization: '[redacted]' } });
    const replayed = await run(['webhooks', 'replay', 'cli-hook', captured!.id]);
    expect([replayed.code, replayed.out]).toEqual([0, expect.stringMatching(/^accepted: [0-9a-f-]{36}\n$/)]);

    const updated = await run(['webhooks', 'update', 'cli-hook', '--template', '{"event": "{{ body.kind }}"}']);
    expect(updated.code).toBe(0);
    const failedReplay = await run(['webhooks', 'replay', 'cli-hook', captured!.id]);
    expect(failedReplay.code).toBe(1);
    expect(failedReplay.out).toMatch(/^failed \(event\)/);

    const ranBefore = await countEvents('cli.ran');
    const failedPreview = await run(['webhooks', 'preview', 'cli-hook']);
    expect([failedPreview.code, failedPreview.out]).toEqual([1, expect.stringMatching(/^failed \(event\)/)]);
    const preview = await run(['webhooks', 'preview', 'cli-hook', captured!.id, '--template-file', '-', '--json'], { stdin: template });
    expect(preview.code).toBe(0);
    expect(JSON.parse(preview.out)).toMatchObject({ event: 'cli.ran', resource: { 'prefect.resource.id': 'cli.1' } });
    expect(await countEvents('cli.ran')).toBe(ranBefore);

    const rotated = await run(['webhooks', 'rotate', 'cli-hook']);
    expect(rotated.out.trim()).not.toBe(endpoint);
    expect(rotated.err).toContain('no longer works');
    expect((await fetch(endpoint, { method: 'POST' })).status).toBe(404);

    expect((await run(['webhooks', 'delete', 'cli-hook'])).out).toMatch(/^deleted /);
    const missing = await run(['webhooks', 'delete', 'cli-hook']);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain('WEBHOOK_NOT_FOUND');
  });

  it('previews only what was captured, and says so when nothing was', async () => {
    expect((await run(['webhooks', 'create', '--name', 'cli-unused', '--template', template])).code).toBe(0);
    const preview = await run(['webhooks', 'preview', 'cli-unused']);
    expect(preview.code).toBe(2);
    expect(preview.err).toMatch(/cli-unused has no captured request to preview yet: send one to http:\/\/\S+\/hooks\/\S+ first/);
  });
});
