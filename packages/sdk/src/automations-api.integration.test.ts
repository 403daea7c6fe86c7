import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomationCreateBody } from './automations-api.js';
import { HeraldApiError } from './herald-api-error.js';
import { createHeraldClient, type HeraldClient } from './herald-client.js';
import { startTestHerald, type TestHerald } from '../../../test/support/test-herald.js';

let herald: TestHerald;
let client: HeraldClient;

beforeAll(async () => {
  herald = await startTestHerald();
  client = createHeraldClient({ url: herald.url, flushOnExit: false });
});

afterAll(async () => {
  await client.close();
  await herald.close();
});

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

function body(name: string, extra: Partial<AutomationCreateBody> = {}): AutomationCreateBody {
  return { name, trigger: { posture: 'Reactive', expect: ['acme.deploy.failed'] }, actions: [{ type: 'do-nothing' }], ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<HeraldApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HeraldApiError);
  return error as HeraldApiError;
}

describe('client.automations', () => {
  it('creates, reads, replaces, disables and deletes an automation', async () => {
    const name = unique('lifecycle');
    const created = await client.automations.create(body(name, { tags: ['test', 'db', 'critical'], trigger: { posture: 'Proactive', expect: ['acme.heartbeat'], within: 'PT1M' } }));
    expect(created).toMatchObject({ name, description: '', enabled: true, tags: ['test', 'db', 'critical'], trigger: { type: 'event', posture: 'Proactive', within: 60 } });
    expect(await client.automations.get(created.id)).toEqual(created);

    await client.automations.update(created.id, body(name, { tags: ['new', 'updated', 'tags'] }));
    const updated = await client.automations.get(created.id);
    expect(updated?.tags).toEqual(['new', 'updated', 'tags']);
    expect(updated?.trigger.id).not.toBe(created.trigger.id);

    await client.automations.disable(created.id);
    expect(await client.automations.get(created.id)).toMatchObject({ enabled: false, tags: ['new', 'updated', 'tags'] });
    await client.automations.enable(created.id);
    expect((await client.automations.get(created.id))?.enabled).toBe(true);

    await client.automations.delete(created.id);
    expect(await client.automations.get(created.id)).toBeNull();
    expect((await rejection(client.automations.delete(created.id))).status).toBe(404);
  });

  it('surfaces validation issues with pointers (S97)', async () => {
    const error = await rejection(client.automations.create(body(unique('bad'), { trigger: { posture: 'Reactive', within: -1 } })));
    expect(error.status).toBe(422);
    expect(error.details).toMatchObject({ issues: [{ pointer: '/trigger/within', message: expect.stringContaining('greater than or equal to 0 seconds') }] });
    const orchestration = await rejection(client.automations.create({ ...body(unique('bad')), actions: [{ type: 'run-deployment' } as never] }));
    expect(orchestration.details).toMatchObject({ issues: [{ message: expect.stringContaining('Herald has no orchestrator') }] });
  });

  it('filters by name and tags, counts, and pages (S93)', async () => {
    const tag = unique('tag');
    const a = await client.automations.create(body(unique('filter-a'), { tags: [tag, 'production'] }));
    const b = await client.automations.create(body(unique('filter-b'), { tags: [tag] }));
    const byTag = await client.automations.filter({ filter: { operator: 'and_', tags: { operator: 'and_', any_: [tag] } } });
    expect(byTag.map((x) => x.id)).toEqual([a.id, b.id]);
    const both = await client.automations.list({ operator: 'and_', name: { any_: [a.name] }, tags: { operator: 'and_', all_: [tag, 'production'] } });
    expect(both.map((x) => x.id)).toEqual([a.id]);
    expect(await client.automations.count()).toBeGreaterThanOrEqual(2);
    expect((await rejection(client.automations.filter({ limit: 201 }))).status).toBe(422);
  });

  it('lists related and owned automations and deletes the owned ones', async () => {
    const owner = `acme.service.${randomUUID()}`;
    const owned = await client.automations.create({ ...body(unique('owned')), owner_resource: owner });
    expect((await client.automations.relatedTo(owner)).map((x) => x.id)).toEqual([owned.id]);
    await client.automations.deleteOwnedBy(owner);
    expect(await client.automations.get(owned.id)).toBeNull();
  });

  it('validates templates', async () => {
    expect(await client.automations.validateTemplate('{{ event.id }}')).toEqual({ ok: true });
    const bad = await client.automations.validateTemplate('1 - {{ hello }} world!\n2 - oops, this {{ ain\'t } gonna work');
    expect(bad).toMatchObject({ ok: false, line: 2 });
  });

  it('reads the trace of an automation', async () => {
    const created = await client.automations.create(body(unique('traced')));
    const trace = await client.automations.trace(created.id);
    expect(trace).toMatchObject({ automation_id: created.id, entries: expect.any(Array) });
  });
});

describe('client.connections', () => {
  it('creates, lists, reads, updates and deletes a connection without ever returning secrets', async () => {
    const name = unique('slack');
    const created = await client.connections.create({ name, kind: 'slack', secrets: { url: 'https://hooks.slack.com/services/T/B/secret' } });
    expect(created).toMatchObject({ name, kind: 'slack', secrets: ['url'] });
    expect(JSON.stringify(await client.connections.list())).not.toContain('hooks.slack.com');
    expect(await client.connections.get(created.id)).toMatchObject({ id: created.id, name });
    expect(await client.connections.update(created.id, { name: `${name}-renamed` })).toMatchObject({ name: `${name}-renamed` });
    await client.connections.delete(created.id);
    expect(await client.connections.get(created.id)).toBeNull();
  });

  it('is usable as block_document_id of a webhook action', async () => {
    const hook = await client.connections.create({ name: unique('hook'), kind: 'webhook', settings: { method: 'POST' }, secrets: { url: 'https://example.com/hook' } });
    const created = await client.automations.create(body(unique('webhook'), { actions: [{ type: 'call-webhook', block_document_id: hook.id, payload: { id: '{{ event.id }}' } }] }));
    expect(created.actions).toEqual([{ type: 'call-webhook', block_document_id: hook.id, payload: '{\n  "id": "{{ event.id }}"\n}' }]);
  });
});
