import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHerald, type Herald } from '../app.js';
import { secretKeyFile } from '../secrets/secret-box.js';
import { createTempDir, type TempDir } from '../test-support/temp-resources.js';

const silent = pino({ level: 'silent' });

describe('automations in a running Herald', () => {
  let dir: TempDir;
  let herald: Herald | undefined;

  afterEach(async () => {
    await herald?.close();
    herald = undefined;
    dir?.remove();
  });

  const post = (path: string, body: unknown) =>
    fetch(herald!.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('serves the automation and connection routes, sealing secrets with a key file created on first start', async () => {
    dir = createTempDir('herald-wiring-');
    herald = await startHerald({ port: 0, dataDir: dir.path, logger: silent, env: {} });
    const connection = await post('/api/connections', { name: 'ops', kind: 'slack', secrets: { url: 'https://hooks.example.com/x' } });
    expect(connection.status).toBe(201);
    expect(await connection.json()).toMatchObject({ kind: 'slack', secrets: ['url'] });
    expect(statSync(secretKeyFile(dir.path)).mode & 0o777).toBe(0o600);
    const automation = await post('/api/automations/', {
      name: 'a',
      trigger: { posture: 'Reactive', expect: ['x.y'] },
      actions: [{ type: 'do-nothing' }],
    });
    expect(automation.status).toBe(201);
    const count = await post('/api/automations/count', {});
    expect(await count.json()).toBe(1);
  });

  it('uses HERALD_SECRET_KEY when set, and writes no key file', async () => {
    dir = createTempDir('herald-wiring-');
    const key = randomBytes(32).toString('base64');
    herald = await startHerald({ port: 0, dataDir: dir.path, logger: silent, env: { HERALD_SECRET_KEY: key } });
    expect((await post('/api/connections', { name: 'ops', kind: 'discord', secrets: { url: 'https://hooks.example.com/y' } })).status).toBe(
      201,
    );
    expect(() => readFileSync(secretKeyFile(dir.path))).toThrow();
  });
});
