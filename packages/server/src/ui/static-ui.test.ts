import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempDir } from '../test-support/temp-resources.js';
import { registerStaticUi } from './static-ui.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(build: boolean) {
  const dir = createTempDir('herald-ui-');
  cleanups.push(() => dir.remove());
  if (build) {
    mkdirSync(join(dir.path, 'assets'));
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir.path, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir.path, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dir.path, 'secret.txt'), 'not public');
  }
  const app = Fastify();
  app.get('/api/health', async () => ({ ok: true }));
  registerStaticUi(app, { root: dir.path });
  cleanups.push(() => app.close());
  return app;
}

describe('registerStaticUi', () => {
  it('serves index.html for / and every client route, revalidated on each load', async () => {
    const app = await serve(true);
    for (const url of ['/', '/events', '/events/0190c2d4-aaaa-7bbb-8ccc-000000000000', '/resources/acme.model.churn', '/automations', '/automations/new', '/webhooks', '/webhooks/x']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('serves hashed assets with their type and an immutable cache', async () => {
    const app = await serve(true);
    const js = await app.inject({ url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ url: '/assets/index-abc123.css' })).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
  });

  it('never serves files outside the assets folder, nor shadows other routes', async () => {
    const app = await serve(true);
    expect((await app.inject({ url: '/assets/../secret.txt' })).body).not.toContain('not public');
    expect((await app.inject({ url: '/assets/%2e%2e/secret.txt' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/secret.txt' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/health' })).json()).toEqual({ ok: true });
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404);
  });

  it('says how to build the UI when there is no build', async () => {
    const app = await serve(false);
    const res = await app.inject({ url: '/events' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
  });
});
