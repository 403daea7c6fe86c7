import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { captureIo } from './test-support/capture-io.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cli-server-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo({ env });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** Runs `herald start` in this process until `stop()`; resolves once the banner is printed. */
async function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo({ env: { HERALD_LOG_LEVEL: 'silent', ...env } });
  const exit = main(['start', '--port', '0', ...args], io);
  for (let i = 0; i < 200 && !/running at (\S+)/.test(io.out()); i++) {
    const early = await Promise.race([exit, new Promise<null>((resolve) => setTimeout(() => resolve(null), 25))]);
    if (early !== null) throw new Error(`herald start exited with ${early}: ${io.err()}`);
  }
  const url = /running at (\S+)/.exec(io.out())![1]!;
  return {
    url,
    banner: io.out(),
    async stop() {
      io.abort();
      return exit;
    },
  };
}

describe('herald start', () => {
  it('serves until stopped and prints where the data is, the UI, and a first event that works', async () => {
    const dataDir = tempDir();
    const server = await start(['--data-dir', dataDir, '--host', '127.0.0.1']);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.banner).toContain(`SQLite in ${dataDir}`);
    expect(server.banner).toContain(`UI:    ${server.url}/`);
    // The printed curl example is a valid request: send its body.
    const body = /-d '(.+)'/.exec(server.banner)![1]!;
    const response = await fetch(`${server.url}/api/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(response.status).toBe(204);
    const query = await run(['events', 'query', '--event', 'hello.world', '--json'], { HERALD_URL: server.url });
    expect(query.out.trim().split('\n').length).toBe(1);
    expect(await server.stop()).toBe(0);
  });

  it('refuses an invalid port with one line, and reports the configuration error from the server', async () => {
    const badPort = await run(['start', '--port', 'http']);
    expect([badPort.code, badPort.err.split('\n').filter(Boolean)]).toEqual([2, [expect.stringMatching(/^herald: option '--port <port>' argument 'http' is invalid/)]]);
    const badUrl = await run(['start', '--port', '0', '--database-url', 'mysql://x', '--data-dir', tempDir()], { HERALD_LOG_LEVEL: 'silent' });
    expect(badUrl.code).toBe(1);
    expect(badUrl.err.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^herald: CONFIG_INVALID: /)]);
  });
});

describe('herald keys', () => {
  it('creates a key shown once, lists it without its secret, and revokes it', async () => {
    const dataDir = tempDir();
    const created = await run(['keys', 'create', '--name', 'ci', '--data-dir', dataDir]);
    expect(created.code).toBe(0);
    const key = created.out.trim();
    expect(key).toMatch(/^hk_[A-Za-z0-9_-]{20,}$/);

    const listed = await run(['keys', 'list', '--json', '--data-dir', dataDir]);
    const records = listed.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; name: string; prefix: string; revoked: string | null });
    expect(records.map((r) => [r.name, r.prefix, r.revoked])).toEqual([['ci', key.slice(0, 7), null]]);
    expect(listed.out).not.toContain(key);

    const table = await run(['keys', 'list'], { HERALD_DATA_DIR: dataDir });
    expect(table.out.split('\n')[0]!.split(/\s{2,}/)).toEqual(['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'STATUS']);

    expect((await run(['keys', 'revoke', records[0]!.id, '--data-dir', dataDir])).code).toBe(0);
    const after = await run(['keys', 'list', '--json', '--data-dir', dataDir]);
    expect((JSON.parse(after.out) as { revoked: string | null }).revoked).not.toBeNull();

    const again = await run(['keys', 'revoke', records[0]!.id, '--data-dir', dataDir]);
    expect([again.code, again.err.split('\n').filter(Boolean)]).toEqual([1, [expect.stringMatching(/^herald: KEY_NOT_FOUND: /)]]);
  });

  it('a created key is required by the running server, and accepted', async () => {
    const dataDir = tempDir();
    const key = (await run(['keys', 'create', '--name', 'laptop', '--data-dir', dataDir])).out.trim();
    const server = await start(['--data-dir', dataDir]);
    try {
      expect(server.banner).toContain('Authorization: Bearer $HERALD_API_KEY');
      const denied = await run(['events', 'query'], { HERALD_URL: server.url });
      expect([denied.code, denied.err.split('\n').filter(Boolean)]).toEqual([1, [expect.stringMatching(/^herald: AUTH_REQUIRED \(HTTP 401\)/)]]);
      const emitted = await run(['events', 'emit', '--event', 'acme.auth', '--resource', 'r', '--api-key', key], { HERALD_URL: server.url });
      expect([emitted.code, emitted.out.trim().split(' ')[1]]).toEqual([0, 'inserted']);
      const wrong = await run(['events', 'emit', '--event', 'acme.auth', '--resource', 'r'], { HERALD_URL: server.url, HERALD_API_KEY: 'hk_wrong' });
      expect([wrong.code, wrong.err.split('\n').filter(Boolean)]).toEqual([1, [expect.stringMatching(/^herald: AUTH_INVALID \(HTTP 401\)/)]]);
    } finally {
      await server.stop();
    }
  });
});
