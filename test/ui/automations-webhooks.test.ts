import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/test-herald.js';
import { ensureUiBuilt, launchChromium, newPage, postEvents, screenshot, seedEvent } from './ui-harness.js';

let herald: TestHerald;
let browser: Browser;
let page: Page;

/** Waits for the page to catch up (no timing is asserted: the bound only ends a stuck test). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });

beforeAll(async () => {
  ensureUiBuilt();
  [herald, browser] = await Promise.all([startTestHerald(), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await herald?.close();
});

afterEach(async (context) => {
  if (page) await screenshot(page, context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
  await page?.context().close();
});

async function openPage(path: string): Promise<Page> {
  page = await newPage(browser);
  await page.goto(herald.url + path);
  return page;
}

describe('web UI, automations', () => {
  it('automates from an event: a wildcard trigger that fires for another resource of the kind, with its trace', async () => {
    const source = seedEvent({ occurred: new Date().toISOString(), event: 'acme.model.refreshed', resource: { 'prefect.resource.id': 'acme.model.churn' } });
    await postEvents(herald.url, [source]);
    await openPage(`/events/${source.id}`);
    await page.getByTestId('automate').click();
    await page.waitForURL(/\/automations\/new\?event=/);
    await poll(() => page.getByLabel('Match', { exact: true }).inputValue()).toBe('prefect.resource.id=acme.model.*');
    expect(await page.getByLabel('Expect').inputValue()).toBe('acme.model.refreshed');
    await page.getByRole('button', { name: 'Create automation' }).click();
    await page.waitForURL(/\/automations\/[0-9a-f-]{36}$/);
    const automationId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByTestId('trace-view').waitFor();

    // Another model than the one the automation was made from: the wildcard must catch it.
    const other = seedEvent({ occurred: new Date().toISOString(), event: 'acme.model.refreshed', resource: { 'prefect.resource.id': 'acme.model.forecast' } });
    await postEvents(herald.url, [other]);
    await poll(async () => {
      await page.getByTestId('trace-view').getByRole('button', { name: 'Refresh' }).click();
      return page.locator('[data-testid="trace-view"] tr[data-kind="fired"]').count();
    }).toBeGreaterThan(0);
    expect(await page.getByTestId('trace-view').textContent()).toContain(other.id.slice(0, 13));

    await page.getByRole('link', { name: 'Automations' }).first().click();
    await page.waitForURL(/\/automations$/);
    const row = page.getByTestId('automation-list').locator('tr', { hasText: 'Model Refreshed' });
    await poll(() => row.textContent()).not.toContain('never');
    await row.getByRole('switch').uncheck();
    await poll(async () => ((await (await fetch(`${herald.url}/api/automations/${automationId}`)).json()) as { enabled: boolean }).enabled).toBe(false);
  });

  it('checks action templates on the server', async () => {
    await openPage('/automations/new');
    await page.getByLabel('Action 1 type').selectOption('emit-event');
    const template = page.getByLabel('Event (a Jinja template of a JSON event)');
    await template.fill('{"event": "x.{{ event.event "}');
    await template.blur();
    await poll(() => page.getByTestId('template-check').textContent()).toMatch(/line \d+/);
    await template.fill('{"event": "x.{{ event.event }}"}');
    await page.getByRole('button', { name: 'Check template' }).click();
    await poll(() => page.getByTestId('template-check').textContent()).toContain('valid');
  });
});

describe('web UI, webhooks', () => {
  it('creates a webhook from a preset and previews templates live against a captured request', async () => {
    await openPage('/webhooks');
    await page.getByTestId('empty-state').waitFor();
    await page.getByRole('link', { name: 'New webhook' }).click();
    await page.getByLabel('Name').fill('CI builds');
    await page.getByRole('button', { name: 'Dynamic' }).click();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.waitForURL(/\/webhooks\/[0-9a-f-]{36}$/);
    const endpoint = (await page.getByTestId('webhook-url').locator('.mono').textContent())!;
    expect(endpoint).toMatch(/\/hooks\/[A-Za-z0-9_-]+$/);

    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'passed', repo: 'herald', build_id: 7, branch: 'main' }) });
    expect(res.status).toBe(204);
    await page.getByTestId('captured-requests').getByRole('button', { name: 'Refresh' }).click();
    await poll(() => page.getByTestId('captured-requests').textContent()).toContain('accepted');
    await poll(() => page.getByTestId('webhook-preview').textContent()).toContain('ci.build.passed');
    expect(await page.getByTestId('webhook-preview').textContent()).toContain('ci.repo.herald.build.7');

    // The preview follows the unsaved template.
    await page.getByRole('button', { name: 'Static' }).click();
    await poll(() => page.getByTestId('webhook-preview').textContent()).toContain('backup.finished');
    await page.getByLabel('Template', { exact: true }).fill('{"event": "ci.{{ body.status }}"}');
    // No resource id: the preview explains the failure instead of an event.
    await poll(() => page.getByTestId('webhook-preview').locator('.field-error').count()).toBe(1);

    await page.getByRole('link', { name: 'Webhooks' }).first().click();
    await poll(() => page.getByTestId('webhook-list').textContent()).toContain('CI builds');
  });
});
