import { createHmac } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/test-herald.js';
import { ensureUiBuilt, launchChromium, newPage, postEvents, screenshot, seedEvent } from './ui-harness.js';

let herald: TestHerald;
let browser: Browser;
let page: Page;

/** Waits for the page to catch up (no timing is asserted: the bound only ends a stuck test). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });
const api = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${herald.url}${path}`);
  return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
};

const countEvents = async (name: string): Promise<number> => {
  const res = await fetch(`${herald.url}/api/events/filter`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filter: { event: { name: [name] } }, limit: 0 }) });
  return ((await res.json()) as { total: number }).total;
};

beforeAll(async () => {
  ensureUiBuilt();
  [herald, browser] = await Promise.all([startTestHerald(), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await herald?.close();
});

afterEach(async (context) => {
  if (page) await screenshot(page, `admin-${context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
  await page?.context().close();
});

async function openPage(path: string): Promise<Page> {
  page = await newPage(browser, { width: 1280, height: 1000 });
  await page.goto(herald.url + path);
  return page;
}

describe('web UI, automations admin', () => {
  it('creates a connection from the action editor, picks it, and deletes the automation after confirming', async () => {
    await openPage('/automations/new');
    await page.getByLabel('Name', { exact: true }).fill('Notify ops');
    await page.getByLabel('Expect').fill('acme.job.failed');
    await page.getByLabel('Action 1 type').selectOption('call-webhook');
    const picker = page.getByTestId('connection-picker');
    await poll(() => picker.getByLabel('Connection', { exact: true }).textContent()).toContain('No connection yet');

    await picker.getByRole('button', { name: 'New connection' }).click();
    // Without its URL the form says what is missing and sends nothing.
    await picker.getByLabel('Connection name').fill('ops hook');
    await picker.getByRole('button', { name: 'Create connection' }).click();
    await poll(() => picker.locator('.field-error').textContent()).toContain('URL is required');
    await picker.getByLabel('Secret url').fill('https://hooks.example.com/ops');
    await picker.getByRole('button', { name: 'Create connection' }).click();
    await poll(() => picker.getByLabel('Connection', { exact: true }).locator('option:checked').textContent()).toBe('ops hook (webhook)');
    await screenshot(page, 'admin-connection-picker');

    const connections = await api<{ id: string; name: string; secrets: string[] }[]>('/api/connections');
    expect(connections.body.map((c) => [c.name, c.secrets])).toEqual([['ops hook', ['url']]]);
    await page.getByRole('button', { name: 'Create automation' }).click();
    await page.waitForURL(/\/automations\/[0-9a-f-]{36}$/);
    const automationId = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await api<{ actions: { type: string; block_document_id: string }[] }>(`/api/automations/${automationId}`);
    expect(saved.body.actions).toEqual([expect.objectContaining({ type: 'call-webhook', block_document_id: connections.body[0]!.id })]);

    // The picker of a saved automation shows the chosen connection by name.
    await page.reload();
    await poll(() => page.getByTestId('connection-picker').getByLabel('Connection', { exact: true }).locator('option:checked').textContent()).toBe('ops hook (webhook)');

    await page.getByRole('link', { name: 'Automations' }).first().click();
    await page.waitForURL(/\/automations$/);
    const list = page.getByTestId('automation-list');
    await poll(() => list.textContent()).toContain('Notify ops');
    // Dismissing the confirmation keeps the automation.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await list.getByRole('button', { name: 'Delete Notify ops' }).click();
    await poll(() => list.textContent()).toContain('Notify ops');
    expect((await api(`/api/automations/${automationId}`)).status).toBe(200);
    page.once('dialog', (dialog) => void dialog.accept());
    await list.getByRole('button', { name: 'Delete Notify ops' }).click();
    await page.getByTestId('empty-state').waitFor();
    expect((await api(`/api/automations/${automationId}`)).status).toBe(404);
  });

  it('shows the last firing from stored events and deletes from the automation page', async () => {
    const created = await fetch(`${herald.url}/api/automations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Job watcher',
        trigger: { type: 'event', expect: ['acme.job.done'], match: { 'prefect.resource.id': 'acme.job.*' }, posture: 'Reactive', threshold: 1, within: 0 },
        actions: [{ type: 'do-nothing' }],
      }),
    });
    const { id } = (await created.json()) as { id: string };
    await openPage('/automations');
    const row = page.getByTestId('automation-list').locator('tr', { hasText: 'Job watcher' });
    await poll(() => row.getByTestId('last-fired').textContent()).toBe('never');

    await postEvents(herald.url, [seedEvent({ occurred: new Date().toISOString(), event: 'acme.job.done', resource: { 'prefect.resource.id': 'acme.job.nightly' } })]);
    await poll(() => countEvents('herald.automation.triggered')).toBe(1);
    await page.reload();
    await poll(() => row.getByTestId('last-fired').textContent()).not.toBe('never');

    await row.getByRole('link', { name: 'Job watcher' }).click();
    await page.getByTestId('delete-automation').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('delete-automation').click();
    await page.waitForURL(/\/automations$/);
    expect((await api(`/api/automations/${id}`)).status).toBe(404);
  });
});

describe('web UI, trigger forms', () => {
  it('builds a compound trigger with a form per child trigger, and shows it in the JSON view', async () => {
    await openPage('/automations/new');
    await page.getByLabel('Name', { exact: true }).fill('Both jobs done');
    const form = page.getByTestId('trigger-form').first();
    await form.getByLabel('Trigger kind').first().selectOption('compound');
    await form.getByLabel('Require').selectOption('any');
    await form.getByRole('button', { name: 'Add trigger' }).click();
    await form.getByRole('button', { name: 'Add trigger' }).click();
    const first = page.getByRole('group', { name: 'Trigger 1' });
    const second = page.getByRole('group', { name: 'Trigger 2' });
    await first.getByLabel('Expect').fill('acme.extract.done');
    await second.getByLabel('Expect').fill('acme.load.done');
    await second.getByLabel('Threshold').fill('2');

    await form.getByRole('button', { name: 'JSON' }).first().click();
    const json = JSON.parse(await form.getByLabel('Trigger JSON').first().inputValue()) as { type: string; require: string; triggers: { expect: string[]; threshold: number }[] };
    expect(json).toMatchObject({ type: 'compound', require: 'any', triggers: [{ expect: ['acme.extract.done'] }, { expect: ['acme.load.done'], threshold: 2 }] });
    await screenshot(page, 'admin-compound-trigger-json');

    await page.getByRole('button', { name: 'Create automation' }).click();
    await page.waitForURL(/\/automations\/[0-9a-f-]{36}$/);
    const saved = await api<{ trigger: { type: string; require: string; triggers: { type: string; expect: string[] }[] } }>(`/api/automations/${new URL(page.url()).pathname.split('/').pop()!}`);
    expect(saved.body.trigger.type).toBe('compound');
    expect(saved.body.trigger.require).toBe('any');
    expect(saved.body.trigger.triggers.map((t) => [t.type, t.expect])).toEqual([
      ['event', ['acme.extract.done']],
      ['event', ['acme.load.done']],
    ]);
    // The saved automation opens with the same nested forms.
    await page.reload();
    await poll(() => page.getByRole('group', { name: 'Trigger 2' }).getByLabel('Expect').inputValue()).toBe('acme.load.done');
  });
});

describe('web UI, webhooks admin', () => {
  it('protects a webhook with an API key shown once and a signature, replays a captured request, and deletes it', async () => {
    await openPage('/webhooks/new');
    await page.getByLabel('Name', { exact: true }).fill('Signed builds');
    await page.getByRole('button', { name: 'Dynamic' }).click();
    await page.getByLabel('Require an API key').check();
    await page.getByLabel('Signature preset').selectOption('github');
    await page.getByLabel('Signature secret').fill('gh-secret');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.waitForURL(/\/webhooks\/[0-9a-f-]{36}$/);
    const webhookId = new URL(page.url()).pathname.split('/').pop()!;
    const key = (await page.getByTestId('issued-api-key').locator('code').textContent())!;
    expect(key).toMatch(/^hwk_/);
    const stored = await api<{ require_api_key: boolean; signature: { preset: string; has_secret: boolean } }>(`/api/webhooks/${webhookId}`);
    expect(stored.body.require_api_key).toBe(true);
    expect(stored.body.signature).toMatchObject({ preset: 'github', has_secret: true });
    expect(JSON.stringify(stored.body)).not.toContain(key);

    const endpoint = (await page.getByTestId('webhook-url').locator('.mono').textContent())!;
    const body = JSON.stringify({ status: 'passed', repo: 'herald', build_id: 9, branch: 'main' });
    const signature = `sha256=${createHmac('sha256', 'gh-secret').update(body).digest('hex')}`;
    const unsigned = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
    expect(unsigned.status).toBe(401);
    const signed = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-hub-signature-256': signature }, body });
    expect(signed.status).toBe(204);

    // Saving again keeps the key and the secret (an empty secret field means "keep"); the key is not shown again.
    await page.getByLabel('Description').fill('from CI');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => api<{ description: string; signature: { has_secret: boolean } | null }>(`/api/webhooks/${webhookId}`).then((r) => r.body.description)).toBe('from CI');
    expect((await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-hub-signature-256': signature }, body })).status).toBe(204);
    await page.reload();
    await page.getByTestId('webhook-form').waitFor();
    expect(await page.getByTestId('issued-api-key').count()).toBe(0);

    await page.getByRole('link', { name: 'Webhooks' }).first().click();
    await poll(() => page.getByTestId('webhook-list').locator('tr', { hasText: 'Signed builds' }).getByTestId('webhook-protection-summary').textContent()).toBe('API key + github signature');
    await page.getByRole('link', { name: 'Signed builds' }).click();

    const captured = page.getByTestId('captured-requests');
    await captured.getByRole('button', { name: 'Refresh' }).click();
    await poll(() => captured.locator('.request-list li').count()).toBe(3);
    const accepted = captured.locator('.request-list li', { hasText: 'accepted' }).first();
    await accepted.getByRole('button', { name: /^Replay request/ }).click();
    const outcome = accepted.getByTestId('replay-outcome');
    await poll(() => outcome.textContent()).toContain('replayed: accepted');
    const eventHref = (await outcome.locator('a').first().getAttribute('href'))!;
    const replayed = await api<{ event: string }>(`/api/events/${eventHref.split('/').pop()!}`);
    expect(replayed.body.event).toBe('ci.build.passed');

    // A request that failed (no signature) replays through the template: the management API is trusted.
    const unauthorized = captured.locator('.request-list li', { hasText: 'unauthorized' }).first();
    await unauthorized.getByRole('button', { name: /^Replay request/ }).click();
    await poll(() => unauthorized.getByTestId('replay-outcome').textContent()).toContain('replayed: accepted');
    await screenshot(page, 'admin-webhook-protection-and-replays');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('delete-webhook').click();
    await page.waitForURL(/\/webhooks$/);
    await page.getByTestId('empty-state').waitFor();
    expect((await api(`/api/webhooks/${webhookId}`)).status).toBe(404);
    expect((await fetch(endpoint, { method: 'POST', body })).status).toBe(404);
  });
});

describe('web UI, feed histogram', () => {
  it('counts live-tail events into the histogram while live', async () => {
    await postEvents(herald.url, [seedEvent({ occurred: new Date(Date.now() - 60_000).toISOString(), event: 'acme.histo.seeded', resource: { 'prefect.resource.id': 'acme.histo.1' } })]);
    await openPage('/events?span=3600&event=acme.histo.*');
    const legend = page.getByTestId('histogram').locator('.histogram-legend');
    await poll(() => legend.textContent()).toContain('1 events');
    await poll(() => page.getByTestId('live-status').textContent()).toBe('live');

    await postEvents(herald.url, [
      seedEvent({ occurred: new Date().toISOString(), event: 'acme.histo.live', resource: { 'prefect.resource.id': 'acme.histo.2' } }),
      seedEvent({ occurred: new Date().toISOString(), event: 'acme.histo.live', resource: { 'prefect.resource.id': 'acme.histo.3' } }),
    ]);
    await poll(() => legend.textContent()).toContain('3 events');
    // The new events are in the list too.
    await poll(() => page.locator('.event-row', { hasText: 'acme.histo.live' }).count()).toBe(2);
  });
});
