import { newEventId } from '@herald/core';
import { startHerald, type Herald } from '@herald/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../packages/server/src/test-support/temp-resources.js';
import { eventually, HeraldClient, startReceiver, type Receiver } from './support/automation-harness.js';

/*
 * Automations end to end (issue 3, spec §6 subset): a real server, automations created over HTTP,
 * events posted over HTTP, and a real local receiver for call-webhook. Each scenario uses its own
 * resource names, so they share one server.
 */

let dir: TempDir;
let herald: Herald;
let client: HeraldClient;
let receiver: Receiver;
let connection: string;

beforeAll(async () => {
  dir = createTempDir();
  receiver = await startReceiver();
  herald = await startHerald({
    host: '127.0.0.1',
    port: 0,
    dataDir: dir.path,
    logLevel: 'silent',
    env: { HERALD_ALLOW_PRIVATE_NETWORKS: 'true', HERALD_CAUSAL_WAIT: '20s' },
  });
  client = new HeraldClient(herald.url);
  connection = await client.webhookConnection(`${receiver.url}/hook`);
});

afterAll(async () => {
  await herald?.close();
  await receiver?.close();
  dir?.remove();
});

const event = (name: string, resource: string, more: Record<string, unknown> = {}) => ({
  id: newEventId(),
  occurred: new Date().toISOString(),
  event: name,
  resource: { 'prefect.resource.id': resource },
  ...more,
});
const webhook = (path: string) => ({
  type: 'call-webhook',
  block_document_id: connection,
  payload: `${path} {{ event.event if event else 'none' }}`,
});
const hitsFor = (path: string) => receiver.hits.filter((h) => h.body.startsWith(path + ' '));
const stateEvents = async (automationId: string, name = 'herald.automation.triggered') =>
  (await client.eventsNamed(name)).filter(
    (e) => (e as unknown as { resource: Record<string, string> }).resource['prefect.resource.id'] === `herald.automation.${automationId}`,
  );

describe('automations end to end', () => {
  it('fires a reactive threshold once per bucket, and records why in the trace', async () => {
    const id = await client.automation({
      name: 'three failures',
      trigger: {
        type: 'event',
        match: { 'prefect.resource.id': 'e2e.threshold.*' },
        expect: ['e2e.threshold.failed'],
        for_each: ['prefect.resource.id'],
        posture: 'Reactive',
        threshold: 3,
        within: 60,
      },
      actions: [webhook('/threshold')],
    });
    await client.postEvents([event('e2e.threshold.failed', 'e2e.threshold.a'), event('e2e.threshold.failed', 'e2e.threshold.b')]);
    await client.postEvents([event('e2e.threshold.failed', 'e2e.threshold.a'), event('e2e.threshold.failed', 'e2e.threshold.b')]);
    await client.postEvents([event('e2e.threshold.failed', 'e2e.threshold.a'), event('e2e.threshold.other', 'e2e.threshold.b')]);
    expect(await eventually(() => hitsFor('/threshold').length >= 1)).toBe(true);
    expect(
      await eventually(async () =>
        (await client.eventsNamed('herald.automation.action.executed')).some((e) => e.payload.invocation !== undefined),
      ),
    ).toBe(true);
    const triggered = await stateEvents(id);
    expect(triggered).toHaveLength(1);
    expect(triggered[0]!.payload.triggering_labels).toEqual({ 'prefect.resource.id': 'e2e.threshold.a' });
    expect(hitsFor('/threshold').map((h) => h.body)).toEqual(['/threshold e2e.threshold.failed']);
    const trace = await client.trace(id);
    expect(trace.status).toBe(200);
    expect(trace.body.totals).toMatchObject({ counted: 5, fired: 1, 'state-event': 1, action: 1 });
    expect(trace.body.entries.find((e) => e.kind === 'action')?.detail).toMatchObject({
      status: 'executed',
      action_type: 'call-webhook',
      attempts: 1,
    });
  });

  it('fires a proactive absence after its window, then resolves when events resume and runs actions_on_resolve', async () => {
    const id = await client.automation({
      name: 'heartbeat lost',
      trigger: {
        type: 'event',
        match: { 'prefect.resource.id': 'e2e.absence.*' },
        after: ['e2e.absence.started'],
        expect: ['e2e.absence.heartbeat'],
        for_each: ['prefect.resource.id'],
        posture: 'Proactive',
        threshold: 1,
        within: 10,
      },
      actions: [webhook('/absence')],
      actions_on_resolve: [webhook('/resolved')],
    });
    const started = Date.now();
    await client.postEvents([event('e2e.absence.started', 'e2e.absence.worker')]);
    expect(await eventually(() => hitsFor('/absence').length >= 1, 25_000)).toBe(true);
    // Never before the window of 10 s closed.
    expect(hitsFor('/absence')[0]!.at - started).toBeGreaterThanOrEqual(10_000);
    expect(await stateEvents(id)).toHaveLength(1);

    await client.postEvents([event('e2e.absence.heartbeat', 'e2e.absence.worker')]);
    expect(await eventually(() => hitsFor('/resolved').length >= 1)).toBe(true);
    expect(await eventually(async () => (await stateEvents(id, 'herald.automation.resolved')).length === 1)).toBe(true);
    // `actions` run for the resolution too (spec 3.11); actions_on_resolve get the resolved event itself.
    expect(await eventually(() => hitsFor('/absence').length === 2)).toBe(true);
    expect(hitsFor('/resolved')[0]!.body).toBe('/resolved herald.automation.resolved');
    const kinds = (await client.trace(id)).body.entries.map((e) => e.kind);
    expect(kinds).toContain('fired');
    expect(kinds).toContain('resolved');
  }, 60_000);

  it('fires a compound trigger when all of its children fired', async () => {
    const child = (name: string) => ({
      type: 'event',
      match: { 'prefect.resource.id': 'e2e.compound.*' },
      expect: [name],
      posture: 'Reactive',
      threshold: 1,
      within: 0,
    });
    const id = await client.automation({
      name: 'both',
      trigger: { type: 'compound', require: 'all', within: 60, triggers: [child('e2e.compound.a'), child('e2e.compound.b')] },
      actions: [webhook('/compound')],
    });
    await client.postEvents([event('e2e.compound.a', 'e2e.compound.x')]);
    await client.postEvents([event('e2e.compound.a', 'e2e.compound.x')]);
    // Both earlier events made their child fire; the composite waits for the other child.
    expect(await eventually(async () => ((await client.trace(id)).body.totals.fired ?? 0) >= 2)).toBe(true);
    expect(hitsFor('/compound')).toHaveLength(0);
    await client.postEvents([event('e2e.compound.b', 'e2e.compound.x')]);
    expect(await eventually(() => hitsFor('/compound').length >= 1)).toBe(true);
    expect(await stateEvents(id)).toHaveLength(1);
  });

  it('fires a sequence only in order', async () => {
    const step = (name: string) => ({
      type: 'event',
      match: { 'prefect.resource.id': 'e2e.sequence.*' },
      expect: [name],
      posture: 'Reactive',
      threshold: 1,
      within: 0,
    });
    const id = await client.automation({
      name: 'a then b',
      trigger: { type: 'sequence', within: 60, triggers: [step('e2e.sequence.a'), step('e2e.sequence.b')] },
      actions: [webhook('/sequence')],
    });
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    await client.postEvents([event('e2e.sequence.b', 'e2e.sequence.x', { occurred: at(0) })]);
    await client.postEvents([event('e2e.sequence.a', 'e2e.sequence.x', { occurred: at(100) })]);
    // Both earlier events made their child fire; the composite waits for the other child.
    expect(await eventually(async () => ((await client.trace(id)).body.totals.fired ?? 0) >= 2)).toBe(true);
    expect(hitsFor('/sequence')).toHaveLength(0);
    await client.postEvents([event('e2e.sequence.b', 'e2e.sequence.x', { occurred: at(200) })]);
    expect(await eventually(() => hitsFor('/sequence').length >= 1)).toBe(true);
    expect(await stateEvents(id)).toHaveLength(1);
  });

  it('holds an event whose leader is missing, shows the wait in the trace, and releases it when the leader arrives', async () => {
    const id = await client.automation({
      name: 'causal',
      trigger: {
        type: 'event',
        match: { 'prefect.resource.id': 'e2e.causal.*' },
        expect: ['e2e.causal.second'],
        posture: 'Reactive',
        threshold: 1,
        within: 0,
      },
      actions: [webhook('/causal')],
    });
    const leader = event('e2e.causal.first', 'e2e.causal.x');
    await client.postEvents([event('e2e.causal.second', 'e2e.causal.x', { follows: leader.id })]);
    expect(await eventually(async () => (await client.trace(id)).body.entries.some((e) => e.kind === 'waiting'))).toBe(true);
    expect(hitsFor('/causal')).toHaveLength(0);
    await client.postEvents([leader]);
    expect(await eventually(() => hitsFor('/causal').length >= 1)).toBe(true);
    const entries = (await client.trace(id)).body.entries;
    expect(entries.find((e) => e.kind === 'waiting')?.detail).toMatchObject({ leader: leader.id });
    expect(entries.find((e) => e.kind === 'released')?.detail).toMatchObject({ reason: 'leader processed' });
  });

  it('chains automations through emit-event', async () => {
    const upstream = await client.automation({
      name: 'ping emits pong',
      trigger: {
        type: 'event',
        match: { 'prefect.resource.id': 'e2e.chain.*' },
        expect: ['e2e.chain.ping'],
        posture: 'Reactive',
        threshold: 1,
        within: 0,
      },
      actions: [
        {
          type: 'emit-event',
          event: '{"event": "e2e.chain.pong", "resource": {"prefect.resource.id": "e2e.chain.{{ event.payload.n }}"}}',
        },
      ],
    });
    const downstream = await client.automation({
      name: 'pong calls webhook',
      trigger: {
        type: 'event',
        match: { 'prefect.resource.id': 'e2e.chain.*' },
        expect: ['e2e.chain.pong'],
        posture: 'Reactive',
        threshold: 1,
        within: 0,
      },
      actions: [webhook('/chain')],
    });
    await client.postEvents([event('e2e.chain.ping', 'e2e.chain.source', { payload: { n: 7 } })]);
    expect(await eventually(() => hitsFor('/chain').length >= 1)).toBe(true);
    const pong = (await client.eventsNamed('e2e.chain.pong'))[0]!;
    expect(pong.related).toContainEqual(
      expect.objectContaining({ 'prefect.resource.role': 'herald-lineage', 'herald.automations': upstream }),
    );
    expect(await stateEvents(downstream)).toHaveLength(1);
  });

  it('stops an automation from triggering itself through its own emitted events', async () => {
    const id = await client.automation({
      name: 'self loop',
      trigger: {
        type: 'event',
        match: { 'prefect.resource.id': 'e2e.loop.*' },
        expect: ['e2e.loop.tick'],
        posture: 'Reactive',
        threshold: 1,
        within: 0,
      },
      actions: [{ type: 'emit-event', event: '{"event": "e2e.loop.tick", "resource": {"prefect.resource.id": "e2e.loop.again"}}' }],
    });
    await client.postEvents([event('e2e.loop.tick', 'e2e.loop.start')]);
    expect(
      await eventually(async () => (await client.trace(id)).body.entries.some((e) => e.kind === 'rejected' && e.detail.reason === 'loop')),
    ).toBe(true);
    expect(await stateEvents(id)).toHaveLength(1);
    expect(await client.eventsNamed('e2e.loop.tick')).toHaveLength(2);
  });

  it('exposes the trigger metrics', async () => {
    const text = await (await fetch(`${herald.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('herald_trigger_events_evaluated_total')).toBeGreaterThan(0);
    expect(value('herald_automation_firings_total\\{state="Triggered"\\}')).toBeGreaterThanOrEqual(7);
    expect(value('herald_automation_firings_total\\{state="Resolved"\\}')).toBe(1);
    expect(value('herald_action_attempts_total\\{outcome="executed"\\}')).toBeGreaterThan(0);
    expect(text).toMatch(/^herald_trigger_lag_seconds [0-9.e+-]+$/m);
  });

  it('answers 404 for the trace of an unknown automation', async () => {
    const res = await client.trace('00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'AUTOMATION_NOT_FOUND' });
  });
});
