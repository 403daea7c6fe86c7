import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build` puts the web UI: `apps/web/dist`, four levels above this module in `src/` and `dist/` alike. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../../apps/web/dist', import.meta.url));

/** The client-side routes: each serves `index.html`, and the UI's router takes it from there. */
const SPA_ROUTES = ['/', '/events', '/events/*', '/resources/*', '/automations', '/automations/*', '/webhooks', '/webhooks/*'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticUiOptions {
  /** The built UI (a directory holding `index.html` and `assets/`). Default {@link DEFAULT_UI_DIR}. */
  root?: string;
}

/**
 * Serves the built web UI: hashed files under `/assets/` with a one-year immutable cache, and
 * `index.html` (revalidated on every load) for `/` and each client route. Only these paths are
 * registered, so `/api`, `/hooks`, `/docs` and `/metrics` are never shadowed. Without a build, those
 * paths answer 503 with a page that says how to build the UI.
 *
 * @example
 * registerStaticUi(app); // serves apps/web/dist
 * registerStaticUi(app, { root: '/srv/herald-ui' });
 */
export function registerStaticUi(app: FastifyInstance, options: StaticUiOptions = {}): void {
  const root = resolve(options.root ?? DEFAULT_UI_DIR);
  const indexPath = join(root, 'index.html');
  // index.html is read per request (it is small) so that a rebuild shows up without a restart.
  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(indexPath)) return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(missingBuildPage(root));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(indexPath));
  };
  for (const route of SPA_ROUTES) app.get(route, async (_request, reply) => sendIndex(reply));
  app.get('/favicon.svg', async (_request, reply) => sendFile(reply, root, 'favicon.svg', 'public, max-age=3600'));
  app.get('/assets/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    return sendFile(reply, root, join('assets', rest), 'public, max-age=31536000, immutable');
  });
}

function sendFile(reply: FastifyReply, root: string, relative: string, cacheControl: string) {
  const path = resolve(root, relative);
  // Refuse anything that escapes the UI directory (`..`, encoded or not).
  if (!path.startsWith(root + sep) || !existsSync(path) || !statSync(path).isFile()) {
    return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
  }
  return reply
    .type(CONTENT_TYPES[extname(path)] ?? 'application/octet-stream')
    .header('cache-control', cacheControl)
    .send(readFileSync(path));
}

function missingBuildPage(root: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Herald: the web UI is not built</title>
<style>:root{color-scheme:light dark;font-family:system-ui,sans-serif}body{max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.5}pre{background:#8881;padding:1rem;border-radius:.5rem}</style>
</head><body>
<h1>Herald is running, but the web UI is not built</h1>
<p>No <code>index.html</code> in <code>${escapeHtml(root)}</code>. Build it from the repository root:</p>
<pre>npm run build          # everything, the UI included
npm run build -w @herald/web   # only the UI</pre>
<p>The API works meanwhile: <a href="/docs">/docs</a> · <a href="/api/openapi.json">/api/openapi.json</a> · <a href="/metrics">/metrics</a></p>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
