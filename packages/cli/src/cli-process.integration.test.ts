import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePackages, type CompiledPackages } from '../../../test/support/compile-packages.js';
import { closedPortUrl } from '../../../test/support/test-herald.js';

let cli: CompiledPackages;
const dataDir = mkdtempSync(join(tmpdir(), 'herald-cli-process-'));

beforeAll(async () => {
  cli = await compilePackages({ dependencies: ['core', 'sdk', 'server'], main: 'cli' });
}, 120_000);

afterAll(() => {
  cli.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the compiled `bin.js` in its own process and returns what a shell would see. */
function herald(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(cli.dir, 'cli/bin.js'), ...args], { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}


describe('the compiled herald binary', () => {
  it('runs a command that opens storage to completion, with exit code 0', async () => {
    const created = await herald(['keys', 'create', '--name', 'ci', '--data-dir', dataDir]);
    expect([created.code, created.stdout]).toEqual([0, expect.stringMatching(/^hk_\S+\n$/)]);
    const listed = await herald(['keys', 'list', '--json'], { HERALD_DATA_DIR: dataDir });
    expect([listed.code, listed.stdout.split('\n').filter(Boolean).length]).toEqual([0, 1]);
  });

  it('prints one line and exits 1 when the server is unreachable', async () => {
    const r = await herald(['events', 'query'], { HERALD_URL: await closedPortUrl() });
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^herald: CONNECTION_FAILED: Cannot reach Herald at .*ECONNREFUSED$/)]);
  });

  it('exits 2 with one line for an unknown option, and 0 for --help', async () => {
    const bad = await herald(['events', 'query', '--bogus']);
    expect([bad.code, bad.stderr.split('\n').filter(Boolean).length]).toEqual([2, 1]);
    const help = await herald(['events', 'emit', '--help']);
    expect([help.code, help.stdout.includes('--file <path>')]).toEqual([0, true]);
  });
});

describe('npx herald in the checkout', () => {
  it('runs the CLI that the build made, as the README says', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    expect(existsSync(join(root, 'packages/cli/dist/bin.js')), 'npm run build makes packages/cli/dist (npm test builds first)').toBe(true);
    const version = (JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
    const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('npm', ['exec', '--offline', '--', 'herald', '--version'], { cwd: join(root, 'packages'), timeout: 30_000 }, (error, stdout) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout }),
      );
    });
    expect([r.code, r.stdout.trim()]).toEqual([0, version]);
  });
});
