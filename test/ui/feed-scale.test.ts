import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/test-herald.js';
import { ensureUiBuilt, launchChromium, postEvents, screenshot, type SeedEvent } from './ui-harness.js';

// The size of the store. 20,000 keeps the suite quick; HERALD_UI_SCALE_EVENTS=1000000 measures the
// issue's figure (first paint with a million stored events).
const STORED = Number(process.env.HERALD_UI_SCALE_EVENTS ?? 20_000);
const ROWS = 10_000;
const BATCH = 5_000;
const repo = resolve(fileURLToPath(import.meta.url), '../../..');

let herald: TestHerald;
let browser: Browser;
let page: Page;
let seedingMs = 0;

beforeAll(async () => {
  ensureUiBuilt();
  [herald, browser] = await Promise.all([startTestHerald(), launchChromium()]);
  const startedSeeding = Date.now();
  const now = Date.now();
  const span = 23 * 3_600_000;
  for (let start = 0; start < STORED; start += BATCH) {
    const batch: SeedEvent[] = [];
    for (let i = start; i < Math.min(STORED, start + BATCH); i++) {
      batch.push({
        id: randomUUID(),
        occurred: new Date(now - Math.floor((i / STORED) * span)).toISOString(),
        event: `acme.${['model', 'job', 'deploy'][i % 3]}.${['started', 'finished', 'failed'][i % 7 === 0 ? 2 : i % 2]}`,
        resource: { 'prefect.resource.id': `acme.thing.${i % 500}`, team: i % 2 === 0 ? 'ml' : 'data' },
        related: [{ 'prefect.resource.id': `acme.flow.${i % 20}`, 'prefect.resource.role': 'flow' }],
        payload: { n: i },
      });
    }
    await postEvents(herald.url, batch);
  }
  seedingMs = Date.now() - startedSeeding;
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await herald?.close();
});

describe('web UI at scale', () => {
  it(`paints the feed over ${STORED.toLocaleString('en-US')} stored events and scrolls through ${ROWS.toLocaleString('en-US')} rows with a small DOM`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // Records when the first row and the histogram's first bar reach the DOM, in ms since navigation.
    await page.addInitScript(`
      new MutationObserver((_, observer) => {
        if (!window.__firstRow && document.querySelector('[data-event-id]')) window.__firstRow = performance.now();
        if (!window.__firstBar && document.querySelector('rect.bar')) window.__firstBar = performance.now();
        if (window.__firstRow && window.__firstBar) observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    `);
    await page.goto(`${herald.url}/events`);
    await page.waitForFunction('window.__firstRow && window.__firstBar', undefined, { timeout: 120_000 });
    const firstRowMs = await page.evaluate<number>('window.__firstRow');
    const firstBarMs = await page.evaluate<number>('window.__firstBar');

    // A filter change: tick one event-name prefix (a third of the events) and wait for the new total (the
    // list and the total are fetched apart; the total is the slower of the two, and shows "…" meanwhile).
    const prefix = page.getByTitle('acme.model.*', { exact: true }).locator('input');
    const before = await page.getByTestId('total').textContent();
    const startedFilter = Date.now();
    await prefix.check();
    await page.waitForFunction(
      `(() => { const t = document.querySelector('[data-testid="total"]').textContent; return t !== ${JSON.stringify(before)} && !t.includes('…'); })()`,
      undefined,
      { timeout: 120_000 },
    );
    const filterMs = Date.now() - startedFilter;
    await prefix.uncheck();
    await page.waitForFunction(`document.querySelector('[data-testid="total"]').textContent === ${JSON.stringify(before)}`, undefined, { timeout: 120_000 });

    // Scroll to the end until 10,000 rows are loaded (page tokens, 200 at a time).
    const startedScroll = Date.now();
    let maxDomRows = 0;
    for (;;) {
      const loaded = await page.evaluate<number>(`(() => {
        const list = document.querySelector('[data-testid="event-list"]');
        list.scrollTop = list.scrollHeight;
        return Math.round(list.scrollHeight / ${84});
      })()`);
      maxDomRows = Math.max(maxDomRows, await page.locator('[data-event-id]').count());
      if (loaded >= ROWS) break;
      await page.waitForTimeout(20);
    }
    const scrollMs = Date.now() - startedScroll;
    expect(maxDomRows).toBeLessThan(60);

    // Jump to the middle: the rows there are rendered, and only a window of them.
    await page.evaluate(`document.querySelector('[data-testid="event-list"]').scrollTop = ${5_000 * 84}`);
    await page.waitForFunction(`document.querySelectorAll('[data-event-id]').length > 0`);
    expect(await page.locator('[data-event-id]').count()).toBeLessThan(60);

    const figures = { storedEvents: STORED, seedingMs, firstRowMs: Math.round(firstRowMs), firstHistogramBarMs: Math.round(firstBarMs), filterChangeMs: filterMs, scrollTo10kRowsMs: scrollMs, maxDomRows };
    mkdirSync(join(repo, 'test-results/ui'), { recursive: true });
    writeFileSync(join(repo, `test-results/ui/feed-scale-${STORED}.json`), JSON.stringify(figures, null, 2));
    console.log('feed figures', figures);
    await screenshot(page, `feed-at-scale-${STORED}`);
    await context.close();
  }, 600_000);
});
