import { newEventId } from '@herald/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempDir, createTempPostgresDatabase } from '../packages/server/src/test-support/temp-resources.js';
import { eventually, HeraldClient, startReceiver, type Receiver } from './support/automation-harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

/*
 * Durability of automations (issue 3 item 7): a real server process is killed with SIGKILL in the
 * middle of windows and of an action's retries, then restarted on the same data. Every firing happens
 * exactly once: counted as `herald.automation.triggered` events and as receiver hits.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function start(env: Record<string, string>): Promise<{ server: ServerProcess; client: HeraldClient }> {
  const server = await startServerProcess({ HERALD_ALLOW_PRIVATE_NETWORKS: 'true', ...env });
  cleanups.push(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });
  return { server, client: new HeraldClient(server.url) };
}

async function kill(server: ServerProcess): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

const KEYS = 12;
const PER_KEY = 10;

function event(name: string, resource: string) {
  return { id: newEventId(), occurred: new Date().toISOString(), event: name, resource: { 'prefect.resource.id': resource } };
}

const triggeredFor = async (client: HeraldClient, automationId: string) =>
  (await client.eventsNamed('herald.automation.triggered')).filter(
    (e) => (e as unknown as { resource: Record<string, string> }).resource['prefect.resource.id'] === `herald.automation.${automationId}`,
  );

async function windowsSurviveKill(env: Record<string, string>, receiver: Receiver): Promise<void> {
  let { server, client } = await start(env);
  const hook = await client.webhookConnection(`${receiver.url}/crash`);
  const reactive = await client.automation({
    name: 'ten per key',
    trigger: {
      type: 'event',
      match: { 'prefect.resource.id': 'crash.key.*' },
      expect: ['crash.tick'],
      for_each: ['prefect.resource.id'],
      posture: 'Reactive',
      threshold: PER_KEY,
      within: 600,
    },
    actions: [{ type: 'call-webhook', block_document_id: hook, payload: 'reactive {{ event.resource.id }}' }],
  });
  const proactive = await client.automation({
    name: 'no heartbeat within 10 s',
    trigger: {
      type: 'event',
      match: { 'prefect.resource.id': 'crash.worker' },
      after: ['crash.worker.started'],
      expect: ['crash.worker.heartbeat'],
      posture: 'Proactive',
      threshold: 1,
      within: 10,
    },
    actions: [{ type: 'call-webhook', block_document_id: hook, payload: 'proactive' }],
  });
  await client.postEvents([event('crash.worker.started', 'crash.worker')]);

  // Every key gets exactly PER_KEY events, sent in small batches; the server is killed half-way.
  const all = Array.from({ length: KEYS * PER_KEY }, (_, i) => event('crash.tick', `crash.key.${i % KEYS}`));
  const batches: (typeof all)[] = [];
  for (let i = 0; i < all.length; i += 6) batches.push(all.slice(i, i + 6));
  const half = Math.floor(batches.length / 2);
  for (const batch of batches.slice(0, half)) await client.postEvents(batch);
  // A few more in flight while the process dies: some are committed, some evaluated, some neither.
  const inFlight = batches.slice(half, half + 4).map((batch) => client.postEvents(batch).catch(() => undefined));
  await new Promise((resolve) => setTimeout(resolve, 5));
  await kill(server);
  await Promise.all(inFlight);

  ({ server, client } = await start(env));
  // The client resends everything it may not have had acknowledged (ids dedupe).
  for (const batch of batches.slice(half)) await client.postEvents(batch);
  const reactiveHits = () => receiver.hits.filter((h) => h.body.startsWith('reactive ')).length;
  expect(await eventually(() => reactiveHits() >= KEYS, 20_000)).toBe(true);
  expect(await eventually(() => receiver.hits.some((h) => h.body === 'proactive'), 25_000)).toBe(true);
  // Let anything duplicated show up before counting.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(new Set(receiver.hits.filter((h) => h.body.startsWith('reactive ')).map((h) => h.body)).size).toBe(KEYS);
  expect(reactiveHits()).toBe(KEYS);
  expect(receiver.hits.filter((h) => h.body === 'proactive')).toHaveLength(1);
  expect(await triggeredFor(client, reactive)).toHaveLength(KEYS);
  expect(await triggeredFor(client, proactive)).toHaveLength(1);
  await kill(server);
}

describe('automations survive kill -9', () => {
  it('fires each window exactly once across a kill in the middle of the windows (SQLite)', async () => {
    const dir = createTempDir();
    cleanups.push(() => dir.remove());
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    await windowsSurviveKill({ HERALD_DATA_DIR: dir.path }, receiver);
  }, 120_000);

  it('fires each window exactly once across a kill in the middle of the windows (PostgreSQL)', async () => {
    const db = await createTempPostgresDatabase();
    cleanups.push(() => db.drop());
    const dir = createTempDir();
    cleanups.push(() => dir.remove());
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    // With a shared database the secret key is set explicitly (otherwise a warning precedes the URL line).
    const key = Buffer.alloc(32, 7).toString('base64');
    await windowsSurviveKill({ HERALD_DATA_DIR: dir.path, HERALD_DATABASE_URL: db.url, HERALD_SECRET_KEY: key }, receiver);
  }, 120_000);

  it('resumes an action interrupted mid-retry and completes it once', async () => {
    const dir = createTempDir();
    cleanups.push(() => dir.remove());
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    receiver.respondWith(() => 503);
    const env = {
      HERALD_DATA_DIR: dir.path,
      HERALD_ACTION_RETRY_BASE: '300ms',
      HERALD_ACTION_RETRY_MAX: '300ms',
      HERALD_ACTION_MAX_ATTEMPTS: '20',
    };
    let { server, client } = await start(env);
    const hook = await client.webhookConnection(`${receiver.url}/retry`);
    const id = await client.automation({
      name: 'flaky receiver',
      trigger: {
        type: 'event',
        match: { 'prefect.resource.id': 'crash.retry' },
        expect: ['crash.retry.go'],
        posture: 'Reactive',
        threshold: 1,
        within: 0,
      },
      actions: [{ type: 'call-webhook', block_document_id: hook, payload: 'retry me' }],
    });
    await client.postEvents([event('crash.retry.go', 'crash.retry')]);
    expect(await eventually(() => receiver.hits.length >= 3, 20_000)).toBe(true);
    await kill(server);
    const failedBeforeKill = receiver.hits.length;
    receiver.respondWith(() => 200);

    ({ server, client } = await start(env));
    const executed = async () => client.eventsNamed('herald.automation.action.executed');
    expect(await eventually(async () => (await executed()).length >= 1, 20_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.hits.length).toBe(failedBeforeKill + 1);
    const [done] = await executed();
    // The attempt count was persisted: the run after the restart is not attempt 1 again.
    expect(done!.payload.attempt as number).toBeGreaterThan(1);
    expect(done!.payload.status_code).toBe(200);
    expect(await client.eventsNamed('herald.automation.action.failed')).toHaveLength(0);
    expect(await triggeredFor(client, id)).toHaveLength(1);
    const trace = await client.trace(id);
    expect(trace.body.entries.find((e) => e.kind === 'action')?.detail).toMatchObject({
      status: 'executed',
      attempts: done!.payload.attempt,
    });
    await kill(server);
  }, 120_000);
});
