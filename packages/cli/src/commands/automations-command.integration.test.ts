import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { captureIo } from '../test-support/capture-io.js';
import { startTestHerald, type TestHerald } from '../../../../test/support/test-herald.js';

let herald: TestHerald;
const dir = mkdtempSync(join(tmpdir(), 'herald-cli-automations-'));

beforeAll(async () => {
  herald = await startTestHerald();
});

afterAll(async () => {
  await herald.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], options: Parameters<typeof captureIo>[0] = {}) {
  const io = captureIo({ ...options, env: { HERALD_URL: herald.url, ...options.env } });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('herald automations', () => {
  it('creates from YAML, is idempotent by name, and lists, gets, disables, enables and deletes', async () => {
    const name = unique('deploys');
    const yaml = `name: ${name}\ntags: [prod]\ntrigger:\n  posture: Reactive\n  expect: [acme.deploy.failed]\nactions:\n  - type: do-nothing\n`;
    const path = file(`${name}.yaml`, yaml);

    const first = await run(['automations', 'create', '-f', path]);
    expect([first.code, first.err]).toEqual([0, '']);
    const [outcome, id] = first.out.trim().split(' ');
    expect(outcome).toBe('created');

    const before = await run(['automations', 'get', id!]);
    const again = await run(['automations', 'create', '-f', path]);
    expect(again.out.trim()).toBe(`unchanged ${id} ${name}`);
    // Nothing was written: the trigger id, and so any open window, is kept.
    expect((await run(['automations', 'get', id!])).out).toBe(before.out);
    const changed = file(`${name}.yaml`, yaml.replace('tags: [prod]', 'tags: [prod, db]'));
    expect((await run(['automations', 'create', '-f', changed])).out.trim()).toBe(`updated ${id} ${name}`);

    const ls = await run(['automations', 'ls', '--tag', 'prod']);
    expect(ls.out).toContain(`${id}  ${name}`);
    expect(ls.out).toContain('reactive acme.deploy.failed ≥1');

    const disabled = await run(['automations', 'disable', name]);
    expect(disabled.out.trim()).toBe(`disabled ${id} ${name}`);
    // Re-applying the file keeps the manual disable: `enabled` is not in the file.
    const update = await run(['automations', 'update', '-f', file(`${name}.yaml`, yaml)]);
    expect(update.out.trim()).toBe(`updated ${id} ${name}`);
    const got = await run(['automations', 'get', id!]);
    expect(JSON.parse(got.out)).toMatchObject({ id, name, enabled: false, tags: ['prod'] });
    expect((await run(['automations', 'enable', id!])).code).toBe(0);

    // The output of `get` (taken while disabled) can be edited and applied again; it carries `enabled: false`.
    const edited = { ...(JSON.parse(got.out) as Record<string, unknown>), description: 'from get' };
    expect((await run(['automations', 'update', '-f', file(`${name}.json`, JSON.stringify(edited))])).code).toBe(0);
    expect(JSON.parse((await run(['automations', 'get', name, '-o', 'json'])).out)).toMatchObject({ description: 'from get', enabled: false });

    const removed = await run(['automations', 'delete', name]);
    expect(removed.out.trim()).toBe(`deleted ${id} ${name}`);
    const missing = await run(['automations', 'get', name]);
    expect([missing.code, missing.err.trim()]).toEqual([1, `herald: AUTOMATION_NOT_FOUND: No automation has the id or name "${name}"`]);
  });

  it('applies several automations from one file, and reports every problem of an invalid one', async () => {
    const a = unique('multi-a');
    const b = unique('multi-b');
    const path = file('multi.yaml', `name: ${a}\ntrigger: {posture: Reactive}\nactions: []\n---\nname: ${b}\ntrigger: {posture: Proactive, expect: [x], within: 'PT1M'}\nactions: []\n`);
    const r = await run(['automations', 'create', '-f', path]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter(Boolean).map((line) => line.split(' ')[0])).toEqual(['created', 'created']);

    const bad = file('bad.json', JSON.stringify({ name: unique('bad'), trigger: { type: 'event', within: -1 }, actions: [{ type: 'run-deployment' }] }));
    const refused = await run(['automations', 'create', '-f', bad]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('is invalid: ');
    expect(refused.err).toContain('/trigger/posture: Field required');
    expect(refused.err).toContain('Herald has no orchestrator');
  });

  it('prints the trace', async () => {
    const name = unique('traced');
    await run(['automations', 'create', '-f', file(`${name}.json`, JSON.stringify({ name, trigger: { posture: 'Reactive', expect: ['acme.x'] }, actions: [] }))]);
    const trace = await run(['automations', 'trace', name, '--json']);
    expect(trace.code).toBe(0);
    expect(JSON.parse(trace.out)).toMatchObject({ entries: expect.any(Array) });
  });

  it('gives clear usage errors', async () => {
    const noName = await run(['automations', 'create', '-f', file('noname.yaml', 'trigger: {posture: Reactive}\nactions: []\n')]);
    expect([noName.code, noName.err.trim()]).toEqual([2, `herald: ${join(dir, 'noname.yaml')}: "name" is required: automations are matched by name`]);
    const noFile = await run(['automations', 'create', '-f', join(dir, 'nope.yaml')]);
    expect(noFile.err).toContain('ENOENT');
  });
});

describe('herald connections', () => {
  it('creates from flags and env without printing secrets, lists and deletes', async () => {
    const name = unique('ops');
    const secret = 'https://hooks.slack.com/services/T000/B000/very-secret';
    const created = await run(['connections', 'create', '--kind', 'slack', '--name', name, '--secret-env', 'url=SLACK_URL'], { env: { SLACK_URL: secret } });
    expect(created.code).toBe(0);
    const id = created.out.trim();
    expect(created.err).toBe(`Created slack connection "${name}" with secrets url.\n`);

    const email = await run([
      'connections', 'create', '--kind', 'email', '--name', unique('mail'),
      '--setting', 'host=127.0.0.1', '--setting', 'port=2525', '--setting', 'secure=false',
      '--setting', 'from=herald@example.org', '--setting', 'to=["oncall@example.org"]', '--json',
    ]);
    expect(email.code).toBe(0);
    expect(JSON.parse(email.out)).toMatchObject({ kind: 'email', settings: { port: 2525, secure: false, to: ['oncall@example.org'] } });

    const ls = await run(['connections', 'ls']);
    expect(ls.out).toContain(`${id}  ${name}`);
    expect(ls.out + (await run(['connections', 'ls', '--json'])).out).not.toContain('very-secret');

    expect((await run(['connections', 'delete', name])).out.trim()).toBe(`deleted ${id} ${name}`);
  });

  it('reads a file, and never echoes a secret in errors', async () => {
    const path = file('hook.yaml', `name: ${unique('hook')}\nkind: webhook\nsettings: {method: POST}\nsecrets: {url: 'https://example.com/in'}\n`);
    expect((await run(['connections', 'create', '-f', path])).code).toBe(0);
    const bad = await run(['connections', 'create', '--kind', 'slack', '--name', 'x', '--secret', 'hunter2']);
    expect(bad.code).toBe(2);
    expect(bad.err).not.toContain('hunter2');
  });
});
