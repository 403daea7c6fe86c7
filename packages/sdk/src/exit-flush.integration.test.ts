import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient } from './herald-client.js';
import { compilePackages, type CompiledPackages } from '../../../test/support/compile-packages.js';
import { closedPortUrl, startTestHerald, type TestHerald } from '../../../test/support/test-herald.js';

const run = promisify(execFile);
let sdk: CompiledPackages;
let herald: TestHerald;

beforeAll(async () => {
  [sdk, herald] = await Promise.all([compilePackages({ dependencies: ['core'], main: 'sdk' }), startTestHerald()]);
}, 120_000);

afterAll(async () => {
  sdk.remove();
  await herald.close();
});

/** Runs a script in a child process, as a user's program; fails the test if it does not exit in time. */
async function runScript(name: string, source: string, env: NodeJS.ProcessEnv) {
  const file = join(sdk.dir, name);
  writeFileSync(file, source);
  const started = Date.now();
  try {
    const { stdout, stderr } = await run(process.execPath, [file], { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, ms: Date.now() - started };
  }
}

async function total(prefix: string): Promise<number> {
  const client = createHeraldClient({ url: herald.url, flushOnExit: false });
  try {
    return (await client.queryPage({ resource: { id_prefix: [prefix] } }, { limit: 1 })).total;
  } finally {
    await client.close();
  }
}

describe('flush on exit (child processes)', () => {
  it('delivers fire-and-forget events of a script that simply ends, then exits', async () => {
    const source = `
      import { emitEvent } from './sdk/index.js';
      for (let i = 0; i < 200; i++) emitEvent({ event: 'test.exit', resource: { 'prefect.resource.id': 'exit.ff.' + i } });
    `;
    const r = await runScript('fire-and-forget.mjs', source, { HERALD_URL: herald.url });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await total('exit.ff.')).toBe(200);
  });

  it('resolves a top-level await on the receipt', async () => {
    const source = `
      import { emitEvent } from './sdk/index.js';
      const receipt = await emitEvent({ event: 'test.exit', resource: { 'prefect.resource.id': 'exit.tla' } });
      console.log(receipt.result);
    `;
    const r = await runScript('tla.mjs', source, { HERALD_URL: herald.url });
    expect([r.code, r.stdout.trim()]).toEqual([0, 'inserted']);
  });

  it('gives up at the exit deadline when the server is unreachable, and says so', async () => {
    const source = `
      import { createHeraldClient } from './sdk/index.js';
      const client = createHeraldClient({ exitFlushTimeoutMs: 300 });
      for (let i = 0; i < 3; i++) client.emitEvent({ event: 'test.exit', resource: { 'prefect.resource.id': 'exit.down.' + i } });
    `;
    const r = await runScript('down.mjs', source, { HERALD_URL: await closedPortUrl() });
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toContain('herald: 3 events were not acknowledged before exit');
  });
});
