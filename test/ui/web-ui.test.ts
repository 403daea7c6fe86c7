import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/test-herald.js';
import { ensureUiBuilt, launchChromium, newPage, postEvents, screenshot, seedEvent, type SeedEvent } from './ui-harness.js';

const HOUR = 3_600_000;
let herald: TestHerald;
let browser: Browser;
let page: Page;
const now = Date.now();
const seeded: SeedEvent[] = [];

/** 48 model events over the past day (one every 29 min), on three models, two teams. */
function modelEvents(): SeedEvent[] {
  return Array.from({ length: 48 }, (_, i) =>
    seedEvent({
      occurred: new Date(now - (i + 1) * 29 * 60_000).toISOString(),
      event: i % 4 === 0 ? 'acme.model.failed' : 'acme.model.refreshed',
      resource: { 'prefect.resource.id': `acme.model.m${i % 3}`, 'prefect.resource.name': `Model ${i % 3}`, team: i % 2 === 0 ? 'ml' : 'data' },
      related: [{ 'prefect.resource.id': 'acme.flow.nightly', 'prefect.resource.role': 'flow', 'prefect.resource.name': 'nightly' }],
      payload: i % 4 === 0 ? { message: 'disk quota exceeded', rows: i } : { rows: i },
    }),
  );
}

const leader = seedEvent({ occurred: new Date(now - 3 * 60_000).toISOString(), event: 'acme.deploy.started', resource: { 'prefect.resource.id': 'acme.service.api' } });
const middle = seedEvent({ occurred: new Date(now - 2 * 60_000).toISOString(), event: 'acme.deploy.built', resource: { 'prefect.resource.id': 'acme.service.api' }, follows: leader.id, payload: { image: { tag: 'v42', layers: [1, 2, 3] } } });
// `last` shares no resource with `middle`: only the follows clause finds it.
const last = seedEvent({ occurred: new Date(now - 60_000).toISOString(), event: 'acme.deploy.finished', resource: { 'prefect.resource.id': 'acme.release.notes' }, follows: middle.id });

beforeAll(async () => {
  ensureUiBuilt();
  [herald, browser] = await Promise.all([startTestHerald(), launchChromium()]);
  seeded.push(...modelEvents(), leader, middle, last);
  await postEvents(herald.url, seeded);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await herald?.close();
});

afterEach(async (context) => {
  if (page) await screenshot(page, context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
  await page?.context().close();
});

async function openPage(path: string, serverUrl = herald.url): Promise<Page> {
  page = await newPage(browser);
  await page.goto(serverUrl + path);
  return page;
}

const totalText = (n: number) => `${n.toLocaleString('en-US')} events`;
/** Waits for the page to catch up (no timing is asserted: the bound only ends a stuck test). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });

describe('web UI, event feed', () => {
  it('keeps every filter in the URL and restores it on reload', async () => {
    await openPage('/events');
    await page.locator('[data-event-id]').first().waitFor();
    await poll(() => page.getByTestId('total').textContent()).toBe(totalText(seeded.length));

    await page.getByTitle('acme.model.*', { exact: true }).locator('input').check();
    await page.waitForURL(/event=acme\.model\.\*/);
    await page.locator('.label-chip', { hasText: 'team=ml' }).first().click();
    await page.waitForURL(/resource=team%3Dml/);
    await page.getByLabel('Search').fill('quota');
    await page.getByLabel('Search').press('Enter');
    await page.waitForURL(/q=quota/);

    const expected = seeded.filter((e) => e.event.startsWith('acme.model.') && e.resource.team === 'ml' && JSON.stringify(e.payload).includes('quota')).length;
    expect(expected).toBeGreaterThan(0);
    await poll(() => page.getByTestId('total').textContent()).toBe(totalText(expected));

    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await poll(() => page.getByTestId('total').textContent()).toBe(totalText(expected));
    expect(await page.getByLabel('Search').inputValue()).toBe('quota');
    const chips = await page.getByTestId('filter-chips').textContent();
    expect(chips).toContain('acme.model.*');
    expect(chips).toContain('team=ml');
    expect(await page.getByTitle('acme.model.*', { exact: true }).locator('input').isChecked()).toBe(true);
  });

  it('zooms the time range by dragging across the histogram', async () => {
    await openPage('/events');
    await poll(() => page.getByTestId('total').textContent()).toBe(totalText(seeded.length));
    const chart = page.getByTestId('histogram').locator('svg');
    await chart.locator('rect.bar').first().waitFor();
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/since=.*until=/);

    const params = new URL(page.url()).searchParams;
    const since = Date.parse(params.get('since')!);
    const until = Date.parse(params.get('until')!);
    // The drag covered the middle half of a 24-hour window.
    expect(until - since).toBeGreaterThan(11 * HOUR);
    expect(until - since).toBeLessThan(13 * HOUR);
    const inside = seeded.filter((e) => Date.parse(e.occurred) >= since && Date.parse(e.occurred) <= until).length;
    await poll(() => page.getByTestId('total').textContent()).toBe(totalText(inside));
    expect(await page.getByTestId('range-label').textContent()).toContain('→');
  });

  it('tails new events live, and holds them while paused', async () => {
    await openPage('/events');
    await page.locator('[data-event-id]').first().waitFor();
    await poll(() => page.getByTestId('live-status').textContent()).toBe('live');

    const arrived = seedEvent({ occurred: new Date().toISOString(), event: 'acme.live.arrived', resource: { 'prefect.resource.id': 'acme.live.1' } });
    await postEvents(herald.url, [arrived]);
    seeded.push(arrived);
    await page.locator(`[data-event-id="${arrived.id}"]`).waitFor();
    expect(await page.locator('[data-event-id]').first().getAttribute('data-event-id')).toBe(arrived.id);

    await page.getByTestId('pause').click();
    const held = seedEvent({ occurred: new Date().toISOString(), event: 'acme.live.held', resource: { 'prefect.resource.id': 'acme.live.2' } });
    await postEvents(herald.url, [held]);
    seeded.push(held);
    await poll(() => page.getByTestId('new-events').textContent()).toBe('1 new');
    expect(await page.locator(`[data-event-id="${held.id}"]`).count()).toBe(0);
    await page.getByTestId('new-events').click();
    await page.locator(`[data-event-id="${held.id}"]`).waitFor();
  });

  it('moves through rows with j/k and opens one with enter', async () => {
    await openPage('/events?event=acme.deploy.*');
    await poll(() => page.getByTestId('total').textContent()).toBe(totalText(3));
    // The total and the rows come from two requests: keys pressed before the rows are there move nothing.
    await poll(() => page.locator('[data-event-id]').count()).toBe(3);
    const selected = () => page.locator('[aria-selected="true"]').getAttribute('data-event-id');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    // Newest first: finished, built, started; the second row is `built`.
    await poll(selected).toBe(middle.id);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/events/${middle.id}$`));
    await page.getByTestId('causal-chain').waitFor();
  });

  /** Dispatches keydowns back to back in one task of the page, as a held key can. */
  const pressInOneTask = (keys: string[]) =>
    page.evaluate(`for (const key of ${JSON.stringify(keys)}) window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }))`);

  it('counts every key of a fast burst, even those that come before the page re-renders', async () => {
    await openPage('/events?event=acme.deploy.*');
    await poll(() => page.locator('[data-event-id]').count()).toBe(3);
    const selected = () => page.locator('[aria-selected="true"]').getAttribute('data-event-id');
    await poll(selected).toBe(last.id);
    // Two presses in one task: React has not rendered between them, so each must see the other's move.
    await pressInOneTask(['j', 'j']);
    await poll(selected).toBe(leader.id);
    await pressInOneTask(['k', 'Enter']);
    await page.waitForURL(new RegExp(`/events/${middle.id}$`));
  });
});

describe('web UI, event page', () => {
  it('walks the causal chain through follows links both ways', async () => {
    await openPage(`/events/${middle.id}`);
    await poll(() => page.getByTestId('follows-link').textContent()).toBe('Acme Deploy Started');
    await poll(() => page.getByTestId('followers').textContent()).toContain('Acme Deploy Finished');
    expect(await page.getByTestId('payload').textContent()).toContain('"v42"');

    await page.getByTestId('follows-link').click();
    await page.waitForURL(new RegExp(`/events/${leader.id}$`));
    await poll(() => page.getByTestId('followers').textContent()).toContain('Acme Deploy Built');
    expect(await page.getByTestId('causal-chain').textContent()).toContain('this event starts its chain');

    await page.getByRole('tab', { name: 'Raw JSON' }).click();
    expect(JSON.parse((await page.getByTestId('raw-json').textContent())!)).toMatchObject({ id: leader.id, event: 'acme.deploy.started' });
  });

  it('lists followers however late they come and whatever they share, 50 of them, and links to the feed for the rest', async () => {
    // Ten days ago (outside the feed's default window, so the other tests' totals hold): a plan and 53
    // steps that follow it, two hours apart, none on the plan's resource; most come days after it.
    const plan = seedEvent({ occurred: new Date(now - 240 * HOUR).toISOString(), event: 'acme.batch.planned', resource: { 'prefect.resource.id': 'acme.batch.plan' } });
    const steps = Array.from({ length: 53 }, (_, i) =>
      seedEvent({ occurred: new Date(now - 240 * HOUR + (i + 1) * 2 * HOUR).toISOString(), event: 'acme.batch.step.done', resource: { 'prefect.resource.id': `acme.batch.step.${i}` }, follows: plan.id }),
    );
    const unrelated = seedEvent({ occurred: new Date(now - 239 * HOUR).toISOString(), event: 'acme.batch.noise', resource: { 'prefect.resource.id': 'acme.batch.plan' } });
    await postEvents(herald.url, [plan, ...steps, unrelated]);

    await openPage(`/events/${plan.id}`);
    await poll(() => page.getByTestId('followers-count').textContent()).toBe('53 events, newest first');
    const listed = page.getByTestId('followers').locator('li a');
    expect(await listed.count()).toBe(50);
    expect(await listed.first().getAttribute('href')).toBe(`/events/${steps[52]!.id}`);
    expect(await listed.last().getAttribute('href')).toBe(`/events/${steps[3]!.id}`);
    expect(await page.getByTestId('causal-chain').textContent()).not.toContain('Acme Batch Noise');

    await page.getByTestId('followers-more').click();
    await page.waitForURL(new RegExp(`/events\\?.*follows=${plan.id}`));
    await poll(() => page.getByTestId('total').textContent()).toBe(totalText(53));
    expect(await page.getByTestId('filter-chips').textContent()).toContain(plan.id);
    await page.locator(`[data-event-id="${steps[52]!.id}"]`).waitFor();
  });

  it('shows a resource timeline with events where it is primary or related', async () => {
    await openPage('/resources/acme.flow.nightly');
    const related = seeded.filter((e) => e.related?.some((r) => r['prefect.resource.id'] === 'acme.flow.nightly')).length;
    await poll(() => page.getByTestId('total').textContent()).toContain(totalText(related));
    expect(await page.locator('h1').textContent()).toBe('nightly');

    // The theme switch: dark now, and still dark after a reload.
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await page.reload();
    await poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await poll(() => page.getByTestId('total').textContent()).toContain(totalText(related));
    await page.locator('[data-event-id]').first().waitFor();
  });
});

describe('web UI, keys and errors', () => {
  it('asks for the API key, tells a newcomer how to send a first event, and says when the server is gone', async () => {
    const keyed = await startTestHerald({ withApiKey: true });
    try {
      await openPage('/events', keyed.url);
      await page.getByTestId('api-key-prompt').waitFor();
      await page.getByLabel('API key').fill('hk_wrong');
      await page.getByRole('button', { name: 'Use this key' }).click();
      await poll(() => page.getByTestId('api-key-prompt').textContent()).toContain('refused');
      await page.getByLabel('API key').fill(keyed.apiKey!);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await poll(() => page.getByTestId('empty-state').textContent()).toContain('curl -X POST');
      expect(await page.evaluate('localStorage.getItem("herald.apiKey")')).toBe(keyed.apiKey);
    } finally {
      await keyed.close();
    }
    await page.getByRole('button', { name: '1h' }).click();
    await poll(() => page.getByTestId('error-state').textContent()).toContain('Cannot reach the Herald server');
    // It starts and stops a server of its own besides the file's.
  }, 60_000);
});
