import { isUuid, MICROS, parseDateTime } from '@herald/core';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAutomationApiHarness, type AutomationApiHarness } from '../test-support/automation-api-harness.js';

const NOW = parseDateTime('2026-08-21T12:00:00Z')!;
const CLIENT_TRIGGER_ID = '11111111-1111-4111-8111-111111111111';

/** A valid create body; `overrides` replace top-level keys. */
function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'hello',
    description: 'world',
    trigger: {
      type: 'event',
      id: CLIENT_TRIGGER_ID,
      match: { 'prefect.resource.name': 'howdy!' },
      match_related: { 'prefect.resource.role': 'something-cool' },
      after: ['this.one'],
      expect: ['surely.this'],
      for_each: ['prefect.resource.name'],
      posture: 'Reactive',
      threshold: 42,
      within: 120,
    },
    actions: [{ type: 'do-nothing' }],
    ...overrides,
  };
}

/** Matches every event; with an emit-event action that is a loop the model check refuses. */
const everyEvent = { type: 'event', posture: 'Reactive', expect: [], match: {}, threshold: 1, within: 0 };
const emitEvent = { type: 'emit-event', event: '{"event": "acme.echo", "resource": {"prefect.resource.id": "acme.echo"}}' };

interface Automation {
  id: string;
  created: string;
  updated: string;
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  trigger: { id: string; type: string; triggers?: { id: string }[] };
  actions: unknown[];
}

describe('automation routes', () => {
  let h: AutomationApiHarness;

  beforeEach(async () => {
    h = await startAutomationApiHarness({ now: NOW });
  });
  afterEach(async () => {
    await h?.close();
  });

  async function create(overrides: Record<string, unknown> = {}): Promise<Automation> {
    const res = await h.request({ method: 'POST', url: '/api/automations/', payload: body(overrides) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Automation>();
  }

  async function read(id: string): Promise<Automation> {
    const res = await h.request({ method: 'GET', url: `/api/automations/${id}` });
    expect(res.statusCode).toBe(200);
    return res.json<Automation>();
  }

  describe('create and read', () => {
    it('answers 201 with the automation, with a fresh id and fresh trigger ids, and reads it back', async () => {
      const res = await h.request({ method: 'POST', url: '/api/automations/', payload: body() });
      expect(res.statusCode).toBe(201);
      const automation = res.json<Automation>();
      expect(Object.keys(automation)).toEqual([
        'id',
        'created',
        'updated',
        'name',
        'description',
        'enabled',
        'tags',
        'trigger',
        'actions',
        'actions_on_trigger',
        'actions_on_resolve',
      ]);
      expect(isUuid(automation.id)).toBe(true);
      expect(automation.trigger.id).not.toBe(CLIENT_TRIGGER_ID);
      expect(automation).toMatchObject({
        created: '2026-08-21T12:00:00Z',
        updated: '2026-08-21T12:00:00Z',
        name: 'hello',
        description: 'world',
        enabled: true,
        tags: [],
        trigger: { type: 'event', posture: 'Reactive', threshold: 42, within: 120 },
        actions: [{ type: 'do-nothing' }],
        actions_on_trigger: [],
        actions_on_resolve: [],
      });
      expect(await read(automation.id)).toEqual(automation);
    });

    it('accepts the path without the trailing slash, and replaces nested trigger ids too', async () => {
      const compound = {
        type: 'compound',
        id: CLIENT_TRIGGER_ID,
        require: 'all',
        within: 60,
        triggers: [{ ...everyEvent, id: CLIENT_TRIGGER_ID, expect: ['a.b'] }],
      };
      const res = await h.request({ method: 'POST', url: '/api/automations', payload: body({ trigger: compound }) });
      expect(res.statusCode).toBe(201);
      const { trigger } = res.json<Automation>();
      expect(trigger.id).not.toBe(CLIENT_TRIGGER_ID);
      expect(trigger.triggers![0]!.id).not.toBe(CLIENT_TRIGGER_ID);
      expect(trigger.triggers![0]!.id).not.toBe(trigger.id);
    });

    it("accepts the bodies Prefect's Python client sends (model_dump with nulls)", async () => {
      const dump = {
        ...body(),
        enabled: true,
        tags: [],
        actions_on_trigger: [],
        actions_on_resolve: [],
        owner_resource: null,
        trigger: { ...(body().trigger as object), match_related: [], within: 120.0 },
      };
      const res = await h.request({ method: 'POST', url: '/api/automations/', payload: dump });
      expect(res.statusCode, res.body).toBe(201);
      const { id } = res.json<Automation>();
      const list = await h.request({
        method: 'POST',
        url: '/api/automations/filter',
        payload: { automations: null, sort: null, limit: null, offset: 0 },
      });
      expect(list.json<Automation[]>().map((a) => a.id)).toEqual([id]);
      const byName = await h.request({
        method: 'POST',
        url: '/api/automations/filter',
        payload: { sort: 'UPDATED_DESC', automations: { operator: 'and_', name: { any_: ['hello'] }, created: null, tags: null } },
      });
      expect(byName.json<Automation[]>().map((a) => a.id)).toEqual([id]);
    });

    it('requires an API key', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/automations/', payload: body() });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ exception_message: 'Unauthorized' });
    });

    it('answers 404 for an unknown id and for a path that is not a UUID', async () => {
      const unknown = await h.request({ method: 'GET', url: '/api/automations/00000000-0000-4000-8000-000000000000' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ exception_message: 'Automation not found' });
      const notUuid = await h.request({ method: 'GET', url: '/api/automations/not-a-uuid' });
      expect(notUuid.statusCode).toBe(404);
    });

    it('S99: keeps tags in order, defaults them to []', async () => {
      expect((await create({ tags: ['test', 'db', 'critical'] })).tags).toEqual(['test', 'db', 'critical']);
      expect((await create({ tags: [] })).tags).toEqual([]);
      expect((await create()).tags).toEqual([]);
    });
  });

  describe('validation (422 in Prefect shape)', () => {
    it('refuses unknown top-level keys such as id, and echoes the body', async () => {
      const payload = body({ id: '00000000-0000-4000-8000-000000000000' });
      const res = await h.request({ method: 'POST', url: '/api/automations/', payload });
      expect(res.statusCode).toBe(422);
      const json = res.json();
      expect(json.exception_message).toBe('Invalid request received.');
      expect(json.exception_detail).toContainEqual(expect.objectContaining({ loc: ['body', 'id'], type: 'extra_forbidden' }));
      expect(json.request_body).toEqual(payload);
      expect(json.code).toBe('AUTOMATION_INVALID');
    });

    it('lists every problem: a missing name and a bad within', async () => {
      const { name: _name, ...rest } = body();
      const res = await h.request({
        method: 'POST',
        url: '/api/automations/',
        payload: { ...rest, trigger: { ...everyEvent, within: -1 } },
      });
      expect(res.statusCode).toBe(422);
      const detail = res.json().exception_detail as { loc: unknown[]; type: string; msg: string }[];
      expect(detail).toContainEqual(expect.objectContaining({ loc: ['body', 'name'], type: 'missing' }));
      expect(detail.find((d) => d.loc.join('.') === 'body.trigger.within')?.msg).toMatch(/greater than or equal to 0 seconds/);
    });

    it('refuses orchestration actions, saying why (DECISIONS 17)', async () => {
      const res = await h.request({
        method: 'POST',
        url: '/api/automations/',
        payload: body({ actions: [{ type: 'run-deployment', source: 'inferred' }] }),
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().exception_detail[0]).toMatchObject({ loc: ['body', 'actions', 0, 'type'], type: 'value_error' });
      expect(res.json().exception_detail[0].msg).toMatch(/orchestrator/);
    });

    it('refuses a trigger matching every event with an action that emits events (model-level)', async () => {
      const res = await h.request({
        method: 'POST',
        url: '/api/automations/',
        payload: body({ trigger: everyEvent, actions: [emitEvent] }),
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().exception_detail).toEqual([expect.objectContaining({ loc: ['body'], type: 'value_error' })]);
    });

    it('refuses a body that is not an object, and a body that is not JSON', async () => {
      const array = await h.request({ method: 'POST', url: '/api/automations/', payload: [1] });
      expect(array.statusCode).toBe(422);
      const text = await h.request({
        method: 'POST',
        url: '/api/automations/',
        payload: 'name=x',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.statusCode).toBe(415);
      const broken = await h.request({
        method: 'POST',
        url: '/api/automations/',
        payload: '{"name":',
        headers: { 'content-type': 'application/json' },
      });
      expect(broken.statusCode).toBe(400);
    });
  });

  describe('PUT', () => {
    it('answers 204, writes only the keys present (Q-A1) and regenerates trigger ids', async () => {
      const created = await create({ tags: ['old'], description: 'kept' });
      h.clock.now = NOW + MICROS.minute;
      const { description: _d, ...withoutDescription } = body({ name: 'renamed', tags: ['new', 'updated', 'tags'] });
      const res = await h.request({ method: 'PUT', url: `/api/automations/${created.id}`, payload: withoutDescription });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      const updated = await read(created.id);
      expect(updated).toMatchObject({
        name: 'renamed',
        description: 'kept',
        tags: ['new', 'updated', 'tags'],
        created: created.created,
        updated: '2026-08-21T12:01:00Z',
      });
      expect(updated.trigger.id).not.toBe(created.trigger.id);
    });

    it('keeps a stored disabled state when the body omits enabled', async () => {
      const created = await create({ enabled: false });
      expect((await h.request({ method: 'PUT', url: `/api/automations/${created.id}`, payload: body() })).statusCode).toBe(204);
      expect((await read(created.id)).enabled).toBe(false);
    });

    it('answers 404 for an unknown id, and 422 for owner_resource (create only)', async () => {
      const unknown = await h.request({ method: 'PUT', url: '/api/automations/00000000-0000-4000-8000-000000000000', payload: body() });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ exception_message: 'Automation not found' });
      const created = await create();
      const owner = await h.request({
        method: 'PUT',
        url: `/api/automations/${created.id}`,
        payload: body({ owner_resource: 'acme.team.x' }),
      });
      expect(owner.statusCode).toBe(422);
      expect(owner.json().exception_detail).toContainEqual(
        expect.objectContaining({ loc: ['body', 'owner_resource'], type: 'extra_forbidden' }),
      );
    });
  });

  describe('PATCH (S89)', () => {
    it('disables with 204, keeps tags and trigger ids', async () => {
      const created = await create({ tags: ['a', 'b'] });
      const res = await h.request({ method: 'PATCH', url: `/api/automations/${created.id}`, payload: { enabled: false } });
      expect(res.statusCode).toBe(204);
      const updated = await read(created.id);
      expect(updated).toMatchObject({ enabled: false, tags: ['a', 'b'] });
      expect(updated.trigger).toEqual(created.trigger);
    });

    it('answers 404 for an unknown id and 422 extra_forbidden for any other key', async () => {
      const unknown = await h.request({
        method: 'PATCH',
        url: '/api/automations/00000000-0000-4000-8000-000000000000',
        payload: { enabled: true },
      });
      expect(unknown.statusCode).toBe(404);
      const created = await create();
      const extra = await h.request({ method: 'PATCH', url: `/api/automations/${created.id}`, payload: { enabled: true, id: created.id } });
      expect(extra.statusCode).toBe(422);
      expect(extra.json().exception_detail).toEqual([expect.objectContaining({ loc: ['body', 'id'], type: 'extra_forbidden' })]);
    });

    it('re-validates the merged automation: enabling a looping one is a model-level 422 with loc []', async () => {
      const created = await create({ enabled: false, trigger: everyEvent, actions: [emitEvent] });
      const res = await h.request({ method: 'PATCH', url: `/api/automations/${created.id}`, payload: { enabled: true } });
      expect(res.statusCode).toBe(422);
      const json = res.json();
      expect(json.exception_message).toBe('Invalid request received.');
      expect(json.exception_detail).toEqual([expect.objectContaining({ loc: [], type: 'value_error' })]);
      expect(json.exception_detail[0].msg).toMatch(/trigger itself forever/);
      expect(json.request_body).toEqual({ enabled: true });
      expect((await read(created.id)).enabled).toBe(false);
    });
  });

  describe('DELETE', () => {
    it('answers 204, then 404', async () => {
      const created = await create();
      expect((await h.request({ method: 'DELETE', url: `/api/automations/${created.id}` })).statusCode).toBe(204);
      expect((await h.request({ method: 'GET', url: `/api/automations/${created.id}` })).statusCode).toBe(404);
      const again = await h.request({ method: 'DELETE', url: `/api/automations/${created.id}` });
      expect(again.statusCode).toBe(404);
      expect(again.json()).toMatchObject({ exception_message: 'Automation not found' });
    });
  });

  describe('filter and count', () => {
    async function filterNames(filter: unknown): Promise<string[]> {
      const res = await h.request({ method: 'POST', url: '/api/automations/filter', payload: { automations: filter } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Automation[]>().map((a) => a.name);
    }

    it('S93: filters by tags and name', async () => {
      await create({ name: 'tag-1', tags: ['production', 'critical'] });
      await create({ name: 'tag-2', tags: ['staging', 'experimental'] });
      await create({ name: 'tag-3', tags: ['production', 'monitoring'] });
      await create({ name: 'tag-4', tags: ['production', 'critical', 'monitoring'] });
      await create({ name: 'no-tags', tags: [] });
      expect(await filterNames({ tags: { any_: ['production'] } })).toEqual(['tag-1', 'tag-3', 'tag-4']);
      expect(await filterNames({ tags: { any_: ['critical', 'experimental'] } })).toEqual(['tag-1', 'tag-2', 'tag-4']);
      expect(await filterNames({ tags: { all_: ['production', 'critical'] } })).toEqual(['tag-1', 'tag-4']);
      expect(await filterNames({ tags: { all_: ['nonexistent', 'missing'] } })).toEqual([]);
      expect(await filterNames({ tags: { is_null_: true } })).toEqual(['no-tags']);
      expect(await filterNames({ tags: { is_null_: false } })).toEqual(['tag-1', 'tag-2', 'tag-3', 'tag-4']);
      expect(await filterNames({ name: { any_: ['tag-1', 'tag-3'] }, tags: { any_: ['production'] } })).toEqual(['tag-1', 'tag-3']);
    });

    it('sorts, pages, and counts', async () => {
      for (const [i, name] of ['b', 'c', 'a'].entries()) {
        h.clock.now = NOW + i * MICROS.second;
        await create({ name });
      }
      const page = async (payload: object) =>
        (await h.request({ method: 'POST', url: '/api/automations/filter', payload })).json<Automation[]>().map((a) => a.name);
      expect(await page({})).toEqual(['a', 'b', 'c']);
      expect(await page({ sort: 'NAME_DESC' })).toEqual(['c', 'b', 'a']);
      expect(await page({ sort: 'CREATED_DESC' })).toEqual(['a', 'c', 'b']);
      expect(await page({ sort: 'NAME_ASC', limit: 1, offset: 1 })).toEqual(['b']);
      const empty = await h.request({ method: 'POST', url: '/api/automations/filter' });
      expect(empty.statusCode).toBe(200);
      expect(empty.json()).toHaveLength(3);
      const count = await h.request({ method: 'POST', url: '/api/automations/count' });
      expect(count.statusCode).toBe(200);
      expect(count.json()).toBe(3);
    });

    it('refuses a limit above 200, a negative offset and unknown keys', async () => {
      const limit = await h.request({ method: 'POST', url: '/api/automations/filter', payload: { limit: 201 } });
      expect(limit.statusCode).toBe(422);
      expect(limit.json().exception_detail[0].msg).toBe('Invalid limit: must be less than or equal to 200.');
      expect((await h.request({ method: 'POST', url: '/api/automations/filter', payload: { offset: -1 } })).statusCode).toBe(422);
      const unknown = await h.request({ method: 'POST', url: '/api/automations/filter', payload: { automations: { nope: 1 } } });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().exception_detail[0]).toMatchObject({ loc: ['body', 'automations', 'nope'], type: 'extra_forbidden' });
    });
  });

  describe('relations (S87, S101 without deployments)', () => {
    const related = async (resource: string) =>
      (await h.request({ method: 'GET', url: `/api/automations/related-to/${resource}` })).json<Automation[]>().map((a) => a.name);

    it('records owner_resource as an owned relation; delete owned-by removes only owned ones (202)', async () => {
      const owned = await create({ name: 'owned', owner_resource: 'acme.deployment.d' });
      await create({ name: 'other', owner_resource: 'acme.deployment.e' });
      expect(await related('acme.deployment.d')).toEqual(['owned']);
      expect(await related('prefect.deployment.None')).toEqual([]);
      expect(await h.storage.automations.automationRelations(owned.id)).toEqual([{ resourceId: 'acme.deployment.d', owned: true }]);
      const res = await h.request({ method: 'DELETE', url: '/api/automations/owned-by/acme.deployment.d' });
      expect(res.statusCode).toBe(202);
      expect(res.body).toBe('');
      expect(await related('acme.deployment.d')).toEqual([]);
      expect((await h.request({ method: 'GET', url: `/api/automations/${owned.id}` })).statusCode).toBe(404);
      expect(await related('acme.deployment.e')).toEqual(['other']);
    });

    it('keeps the owner relation through PUT and drops every relation on delete', async () => {
      const owned = await create({ owner_resource: 'acme.deployment.f' });
      expect((await h.request({ method: 'PUT', url: `/api/automations/${owned.id}`, payload: body({ name: 'renamed' }) })).statusCode).toBe(
        204,
      );
      expect(await related('acme.deployment.f')).toEqual(['renamed']);
      expect((await h.request({ method: 'DELETE', url: `/api/automations/${owned.id}` })).statusCode).toBe(204);
      expect(await related('acme.deployment.f')).toEqual([]);
      expect(await h.storage.automations.automationRelations(owned.id)).toEqual([]);
    });
  });

  describe('lifecycle events and change notifications', () => {
    it('emits herald.automation.created, updated and deleted with the automation as payload', async () => {
      const created = await create();
      await h.request({ method: 'PATCH', url: `/api/automations/${created.id}`, payload: { enabled: false } });
      await h.request({ method: 'PUT', url: `/api/automations/${created.id}`, payload: body({ name: 'renamed' }) });
      await h.request({ method: 'DELETE', url: `/api/automations/${created.id}` });

      const [createdEvent] = await h.eventsNamed('herald.automation.created');
      expect(createdEvent).toMatchObject({
        resource: { 'prefect.resource.id': `herald.automation.${created.id}`, 'prefect.resource.name': 'hello' },
        related: [],
        payload: created,
      });
      const updated = await h.eventsNamed('herald.automation.updated');
      expect(updated.map((e) => [e.payload.enabled, e.resource['prefect.resource.name']])).toEqual([
        [false, 'hello'],
        [false, 'renamed'],
      ]);
      const deleted = await h.eventsNamed('herald.automation.deleted');
      expect(deleted).toHaveLength(1);
      expect(deleted[0]!.payload).toMatchObject({ id: created.id, name: 'renamed' });
      expect(h.changes).toEqual([
        { id: created.id, kind: 'created' },
        { id: created.id, kind: 'updated' },
        { id: created.id, kind: 'updated' },
        { id: created.id, kind: 'deleted' },
      ]);
    });

    it('emits nothing for refused writes, and no deleted events for delete owned-by', async () => {
      const created = await create({ owner_resource: 'acme.team.x' });
      await h.request({ method: 'PATCH', url: `/api/automations/${created.id}`, payload: { enabled: 'yes' } });
      await h.request({ method: 'DELETE', url: '/api/automations/owned-by/acme.team.x' });
      expect(await h.eventsNamed('herald.automation.updated')).toEqual([]);
      expect(await h.eventsNamed('herald.automation.deleted')).toEqual([]);
      expect(h.changes).toEqual([
        { id: created.id, kind: 'created' },
        { id: created.id, kind: 'deleted' },
      ]);
    });
  });

  describe('setEnabled (pause and resume actions)', () => {
    it('answers ok, not_found, or the validation message', async () => {
      const created = await create();
      expect(await h.services.automations.setEnabled(created.id, false)).toBe('ok');
      expect((await read(created.id)).enabled).toBe(false);
      expect(await h.services.automations.setEnabled('00000000-0000-4000-8000-000000000000', true)).toBe('not_found');
      const looping = await create({ enabled: false, trigger: everyEvent, actions: [emitEvent] });
      const result = await h.services.automations.setEnabled(looping.id, true);
      expect(result).toEqual({ invalid: expect.stringMatching(/trigger itself forever/) });
    });

    it('adds the given related resources to the updated event', async () => {
      const created = await create();
      const lineage = { 'prefect.resource.id': 'herald.automation.x', 'prefect.resource.role': 'herald-lineage' };
      expect(await h.services.automations.setEnabled(created.id, false, { related: [lineage] })).toBe('ok');
      expect((await h.eventsNamed('herald.automation.updated'))[0]!.related).toEqual([lineage]);
    });
  });

  describe('OpenAPI', () => {
    it('documents the automation, template and connection routes', async () => {
      const doc = (await h.request({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/automations',
          '/api/automations/{id}',
          '/api/automations/filter',
          '/api/automations/count',
          '/api/automations/related-to/{resource_id}',
          '/api/automations/owned-by/{resource_id}',
          '/api/templates/validate',
          '/api/connections',
          '/api/connections/{id}',
        ]),
      );
      expect(Object.keys(doc.paths['/api/automations/{id}']!).sort()).toEqual(['delete', 'get', 'patch', 'put']);
    });
  });
});

describe('automation and connection routes on PostgreSQL', () => {
  let h: AutomationApiHarness;

  beforeAll(async () => {
    h = await startAutomationApiHarness({ dialect: 'postgres', now: NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates, replaces, patches, filters, relates and deletes', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/api/automations/',
      payload: body({ tags: ['prod'], owner_resource: 'acme.team.data' }),
    });
    expect(res.statusCode).toBe(201);
    const created = res.json<Automation>();
    expect((await h.request({ method: 'PUT', url: `/api/automations/${created.id}`, payload: body({ name: 'renamed' }) })).statusCode).toBe(
      204,
    );
    expect((await h.request({ method: 'PATCH', url: `/api/automations/${created.id}`, payload: { enabled: false } })).statusCode).toBe(204);
    const read = (await h.request({ method: 'GET', url: `/api/automations/${created.id}` })).json<Automation>();
    expect(read).toMatchObject({ name: 'renamed', enabled: false, tags: ['prod'] });
    const filtered = await h.request({
      method: 'POST',
      url: '/api/automations/filter',
      payload: { automations: { tags: { any_: ['prod'] } } },
    });
    expect(filtered.json<Automation[]>().map((a) => a.id)).toEqual([created.id]);
    const related = await h.request({ method: 'GET', url: '/api/automations/related-to/acme.team.data' });
    expect(related.json<Automation[]>().map((a) => a.id)).toEqual([created.id]);
    expect((await h.request({ method: 'DELETE', url: '/api/automations/owned-by/acme.team.data' })).statusCode).toBe(202);
    expect((await h.request({ method: 'POST', url: '/api/automations/count' })).json()).toBe(0);
    expect((await h.eventsNamed('herald.automation.updated')).length).toBe(2);
  });

  it('stores connection secrets sealed and resolves them', async () => {
    const url = 'https://hooks.example.com/T000/B000/pg-secret-token';
    const res = await h.request({ method: 'POST', url: '/api/connections', payload: { name: 'pg', kind: 'discord', secrets: { url } } });
    expect(res.statusCode).toBe(201);
    const { id } = res.json<{ id: string }>();
    const stored = await h.storage.connections.getConnection(id);
    expect(stored!.sealedSecrets).not.toContain('pg-secret-token');
    expect((await h.services.connections.resolve(id))!.secrets).toEqual({ url });
  });
});

describe('bad input never answers 500', () => {
  let h: AutomationApiHarness;
  let id: string;

  beforeAll(async () => {
    h = await startAutomationApiHarness({ now: NOW });
    id = (await h.request({ method: 'POST', url: '/api/automations/', payload: body() })).json<Automation>().id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('for arbitrary JSON sent to every route with a body', async () => {
    // Arbitrary JSON, and automation-shaped objects whose fields hold arbitrary JSON.
    const input = fc.oneof(
      fc.json().map((text) => JSON.parse(text) as unknown),
      fc.record({ name: fc.jsonValue(), trigger: fc.jsonValue(), actions: fc.jsonValue(), tags: fc.jsonValue() }, { requiredKeys: [] }),
      fc.record({
        trigger: fc.record({
          type: fc.constantFrom('event', 'compound', 'sequence'),
          triggers: fc.jsonValue(),
          within: fc.jsonValue(),
          require: fc.jsonValue(),
        }),
      }),
      fc.record({ automations: fc.jsonValue(), limit: fc.jsonValue(), sort: fc.jsonValue() }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(
        input,
        fc.constantFrom(
          'POST /api/automations/',
          'PUT',
          'PATCH',
          'POST /api/automations/filter',
          'POST /api/connections',
          'PATCH connection',
        ),
        async (payload, route) => {
          const [method, url] =
            route === 'PUT' || route === 'PATCH'
              ? [route, `/api/automations/${id}`]
              : route === 'PATCH connection'
                ? ['PATCH', '/api/connections/00000000-0000-4000-8000-000000000000']
                : ['POST', route.split(' ')[1]!];
          const res = await h.request({
            method,
            url,
            payload: JSON.stringify(payload),
            headers: { 'content-type': 'application/json' },
          });
          expect(res.statusCode, `${route} ${JSON.stringify(payload)} → ${res.body}`).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });
});
