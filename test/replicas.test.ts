import { createHmac, randomBytes } from 'node:crypto';
import { newEventId } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisKeys, TEST_REDIS_URL } from '../packages/server/src/test-support/private-redis.js';
import { createTempPostgresDatabase, type TempPostgres } from '../packages/server/src/test-support/temp-resources.js';
import { connect, type TestSocket } from '../packages/server/src/test-support/ws-test-client.js';
import { eventually, HeraldClient, startReceiver, type Receiver } from './support/automation-harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

/*
 * Scale-out (docs/scale-out.md): real server processes sharing the real PostgreSQL and Redis of this
 * machine, each test run with its own database and key prefix. Events ingested on any replica reach
 * the live streams of every replica; one replica at a time evaluates automations, and another takes
 * over when it is killed.
 */

const LEASE = '3s';

let db: TempPostgres;
let prefix: string;
let receiver: Receiver;
let env: Record<string, string>;
const servers: ServerProcess[] = [];

async function startReplica(): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  servers.push(server);
  return server;
}

async function evaluating(server: ServerProcess): Promise<boolean> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return /^herald_automations_evaluating 1$/m.test(text);
}

async function subscribe(server: ServerProcess, prefixes: string[]): Promise<TestSocket> {
  const socket = await connect(`${server.url.replace('http', 'ws')}/api/events/out`, { protocols: ['prefect'] });
  socket.send({ type: 'auth', token: null });
  await socket.waitUntil((messages) => messages.some((m) => m.type === 'auth_success'));
  socket.send({ type: 'filter', filter: { event: { prefix: prefixes } } });
  return socket;
}

const receivedIds = (socket: TestSocket) => socket.messages.filter((m) => m.type === 'event').map((m) => (m.event as { id: string }).id);

function events(name: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: newEventId(),
    occurred: new Date().toISOString(),
    event: name,
    resource: { 'prefect.resource.id': `test.replicas.resource.${i % 5}` },
  }));
}

beforeAll(async () => {
  db = await createTempPostgresDatabase('herald_replicas');
  prefix = `herald-test-${randomBytes(4).toString('hex')}:`;
  receiver = await startReceiver();
  env = {
    HERALD_DATABASE_URL: db.url,
    HERALD_REDIS_URL: TEST_REDIS_URL,
    HERALD_REDIS_PREFIX: prefix,
    HERALD_TRIGGER_LEASE: LEASE,
    HERALD_ALLOW_PRIVATE_NETWORKS: 'true',
    // Replicas share one key for the secrets they seal (a webhook's signing secret, a connection's URL).
    HERALD_SECRET_KEY: randomBytes(32).toString('base64'),
  };
});

afterAll(async () => {
  for (const server of servers) server.child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exited));
  await receiver?.close();
  await db?.drop();
  await deleteRedisKeys(prefix);
});

describe('replicas on PostgreSQL and Redis', () => {
  it('delivers events ingested on either replica to the live streams of both, each once, in the same order', async () => {
    // Started together on a fresh database: they race to migrate it and to take the trigger lease.
    const [a, b] = await Promise.all([startReplica(), startReplica()]);
    const [onA, onB] = [await subscribe(a, ['test.replicas.stream']), await subscribe(b, ['test.replicas.stream'])];
    // Let both filters take effect before anything is posted.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent: string[] = [];
    const post = async (server: ServerProcess, rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        const batch = events('test.replicas.stream', 20);
        sent.push(...batch.map((e) => e.id));
        await new HeraldClient(server.url).postEvents(batch);
      }
    };
    await Promise.all([post(a, 15), post(b, 15), post(a, 15), post(b, 15)]);
    await onA.waitUntil((m) => m.filter((x) => x.type === 'event').length >= sent.length);
    await onB.waitUntil((m) => m.filter((x) => x.type === 'event').length >= sent.length);
    // Nothing more arrives: no event is delivered twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [idsA, idsB] = [receivedIds(onA), receivedIds(onB)];
    expect(idsA).toHaveLength(sent.length);
    expect(new Set(idsA)).toEqual(new Set(sent));
    expect(idsB).toEqual(idsA);
    onA.ws.close();
    onB.ws.close();
  });

  it('evaluates an automation on one replica only, whichever replica its change and its events went to', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    expect([await evaluating(a), await evaluating(b)].filter(Boolean)).toHaveLength(1);
    const [owner, other] = (await evaluating(a)) ? [a, b] : [b, a];
    // Created through the replica that does not evaluate: the change must travel to the one that does.
    const client = new HeraldClient(other.url);
    const connection = await client.webhookConnection(`${receiver.url}/hook`);
    const id = await client.automation({
      name: 'replica ping',
      trigger: { type: 'event', expect: ['test.replicas.ping'], posture: 'Reactive', threshold: 1, within: 0 },
      actions: [{ type: 'call-webhook', block_document_id: connection, payload: 'ping {{ event.resource.id }}' }],
    });
    // The change reaches the evaluating replica asynchronously; give it a moment before the events.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await new HeraldClient(owner.url).postEvents([{ ...events('test.replicas.ping', 1)[0]!, resource: { 'prefect.resource.id': 'test.replicas.first' } }]);
    await client.postEvents([{ ...events('test.replicas.ping', 1)[0]!, resource: { 'prefect.resource.id': 'test.replicas.second' } }]);
    const hits = () => receiver.hits.filter((h) => h.body.startsWith('ping ')).map((h) => h.body);
    expect(await eventually(() => hits().length >= 2)).toBe(true);
    // A second evaluator would call the webhook again.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(hits().sort()).toEqual(['ping test.replicas.first', 'ping test.replicas.second']);
    // The replica that does not evaluate shows the trace the evaluator saved.
    const fired = async () => ((await client.trace(id)).body.totals.fired ?? 0) === 2;
    expect(await eventually(fired, 10_000)).toBe(true);
  });

  it('serves a webhook on any replica, with one rate limit for all, and shows its captured requests on every replica', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const created = await new HeraldClient(a.url).request<{ id: string; endpoint: string }>('POST', '/api/webhooks', {
      name: 'replica hook',
      template: '{"event": "test.replicas.hooked", "resource": {"prefect.resource.id": "test.replicas.hook.{{ body.n }}"}}',
      signature: { preset: 'github', secret: 'shared-secret' },
      rate_limit: 1,
    });
    expect(created.status).toBe(201);
    const path = new URL(created.body.endpoint).pathname;
    const body = JSON.stringify({ n: 7 });
    const signature = `sha256=${createHmac('sha256', 'shared-secret').update(body).digest('hex')}`;
    // Created through one replica, signed with a secret sealed there, answered by the other within its 1 s cache.
    const hook = (server: ServerProcess) =>
      fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
    expect(await eventually(async () => (await hook(b)).status === 204, 5000)).toBe(true);
    // The limit, 1 a second, holds for both replicas together: the next request, on the other, is refused.
    const refused = await hook(a);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '1']);
    const onA = new HeraldClient(a.url);
    expect(await eventually(async () => (await onA.eventsNamed('test.replicas.hooked')).length >= 1)).toBe(true);
    const captured = async () => (await onA.request<{ outcome: string }[]>('GET', `/api/webhooks/${created.body.id}/requests`)).body;
    expect(await eventually(async () => (await captured()).some((r) => r.outcome === 'accepted'))).toBe(true);
  });

  it('moves evaluation away from a paused evaluator, which stands down when it wakes, and fires nothing twice', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const [owner, other] = (await evaluating(a)) ? [a, b] : [b, a];
    owner.child.kill('SIGSTOP');
    try {
      await new HeraldClient(other.url).postEvents([{ ...events('test.replicas.ping', 1)[0]!, resource: { 'prefect.resource.id': 'test.replicas.paused' } }]);
      expect(await eventually(() => evaluating(other), 10_000)).toBe(true);
      const hits = () => receiver.hits.filter((h) => h.body === 'ping test.replicas.paused');
      expect(await eventually(() => hits().length >= 1, 10_000)).toBe(true);
    } finally {
      owner.child.kill('SIGCONT');
    }
    // Awake, the old evaluator finds its lease gone and stops; only one replica evaluates.
    expect(await eventually(async () => !(await evaluating(owner)), 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([await evaluating(owner), await evaluating(other)]).toEqual([false, true]);
    expect(receiver.hits.filter((h) => h.body === 'ping test.replicas.paused')).toHaveLength(1);
  });

  it('moves evaluation to a surviving replica when the evaluating one is killed, and misses nothing', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const [owner, survivor] = (await evaluating(a)) ? [a, b] : [b, a];
    owner.child.kill('SIGKILL');
    await owner.exited;
    // Posted before the survivor has the lease: it must catch up on it from the shared checkpoint.
    await new HeraldClient(survivor.url).postEvents([{ ...events('test.replicas.ping', 1)[0]!, resource: { 'prefect.resource.id': 'test.replicas.third' } }]);
    // The lease of the dead replica lasts up to 3 s more: the survivor has not taken over yet.
    expect(await evaluating(survivor)).toBe(false);
    expect(await eventually(() => evaluating(survivor), 10_000)).toBe(true);
    const hits = () => receiver.hits.filter((h) => h.body.startsWith('ping ')).map((h) => h.body);
    expect(await eventually(() => hits().includes('ping test.replicas.third'), 10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The events evaluated before the kill are not evaluated again.
    expect(hits().sort()).toEqual(['ping test.replicas.first', 'ping test.replicas.paused', 'ping test.replicas.second', 'ping test.replicas.third']);
  });
});
