import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const repo = resolve(fileURLToPath(import.meta.url), '../../..');
const webDir = join(repo, 'apps/web');
const SOURCES = [join(webDir, 'src'), join(webDir, 'index.html'), join(webDir, 'vite.config.ts'), join(repo, 'packages/sdk/src'), join(repo, 'packages/core/src')];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * Builds the UI into `apps/web/dist` unless a build newer than every source is already there (`npm
 * test` builds first, so this normally does nothing).
 */
export function ensureUiBuilt(): void {
  const index = join(webDir, 'dist/index.html');
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= Math.max(...SOURCES.map(newestMtime));
  // Test files run in parallel: one builds while the others wait for its lock to go.
  const lock = join(webDir, '.build-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (fresh()) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`Gave up waiting for another UI build: remove ${lock} if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    execFileSync(process.execPath, [join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: webDir,
      stdio: 'inherit',
      // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Debian's Chromium, headless, driven by playwright-core (never a downloaded browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A page in a context of its own. Its actions give up after 15 s, within the test's 30 s: a step
 * that is stuck fails naming its locator, where the test's own limit would name only the test.
 */
export async function newPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

/** Saves a full-page screenshot under `test-results/ui/` (the CI artifact). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(repo, 'test-results/ui');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export interface SeedEvent {
  id: string;
  occurred: string;
  event: string;
  resource: Record<string, string>;
  related?: Record<string, string>[];
  payload?: Record<string, unknown>;
  follows?: string | null;
}

/** Builds an event with a fresh id. */
export function seedEvent(fields: Omit<SeedEvent, 'id'> & { id?: string }): SeedEvent {
  return { id: randomUUID(), related: [], payload: {}, ...fields };
}

/** Posts events through the public API. */
export async function postEvents(url: string, events: SeedEvent[], apiKey?: string): Promise<void> {
  const res = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(events),
  });
  if (res.status !== 204) throw new Error(`POST /api/events answered ${res.status}: ${await res.text()}`);
}
