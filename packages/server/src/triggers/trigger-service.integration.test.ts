import { DEFAULT_EVENT_LIMITS, newEventId, type ReceivedEvent } from '@herald/core';
import { createServer } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomationServices, type AutomationServices } from '../automations/automation-wiring.js';
import { loadConfig } from '../config/config.js';
import { createIngestPipeline, type IngestPipeline } from '../ingestion/ingest-pipeline.js';
import { createInMemoryEventBus, type EventBus } from '../messaging/event-bus.js';
import { createMetrics, type HeraldMetrics } from '../observability/metrics.js';
import { openStorage } from '../storage/open-storage.js';
import type { Storage } from '../storage/ports.js';
import { createTempDir, createTempPostgresDatabase, type TempDir, type TempPostgres } from '../test-support/temp-resources.js';
import { startAutomationRuntime, type AutomationRuntime, type AutomationRuntimeOptions } from './automation-runtime.js';

/*
 * The trigger service on real parts: storage (SQLite file or PostgreSQL database), ingest pipeline,
 * bus, automation service, engine, outbox runner and executor. Runtimes are stopped and started on
 * the same storage while ingest keeps running, as a restart would.
 */

const logger = pino({ level: 'silent' });
const now = () => Date.now() * 1000;

interface World {
  storage: Storage;
  bus: EventBus;
  ingest: IngestPipeline;
  metrics: HeraldMetrics;
  services: AutomationServices;
  config: ReturnType<typeof loadConfig>;
  runtime: AutomationRuntime | null;
}

async function openWorld(dataDir: string, databaseUrl: string | null, env: Record<string, string> = {}): Promise<World> {
  const config = loadConfig(
    { dataDir, databaseUrl },
    { HERALD_ALLOW_PRIVATE_NETWORKS: 'true', HERALD_ACTION_RETRY_BASE: '20ms', HERALD_ACTION_RETRY_MAX: '20ms', ...env },
  );
  const storage = await openStorage(config.storage, logger);
  const metrics = createMetrics(() => storage.events.sizeBytes());
  const bus = createInMemoryEventBus();
  const ingest = createIngestPipeline({
    store: storage.events,
    bus,
    limits: DEFAULT_EVENT_LIMITS,
    commitMaxEvents: 5000,
    metrics,
    logger,
    now,
  });
  const services = createAutomationServices({
    storage,
    ingest,
    logger,
    now,
    secrets: { key: Buffer.alloc(32, 3), dataDir, shared: false },
  });
  return { storage, bus, ingest, metrics, services, config, runtime: null };
}

/** Starts the runtime, after stopping the running one: two consumers of one store would both fire. */
async function startRuntime(world: World): Promise<AutomationRuntime> {
  await stopRuntime(world);
  // A fresh registry per runtime: a restarted runtime registers its metrics again.
  const metrics = createMetrics(() => world.storage.events.sizeBytes());
  world.runtime = await startAutomationRuntime(runtimeOptions(world, metrics));
  return world.runtime;
}

/** A runtime over the world's storage, ingest and automations. */
function runtimeOptions(world: World, metrics: HeraldMetrics): AutomationRuntimeOptions {
  return {
    config: world.config,
    events: world.storage.events,
    bus: world.bus,
    ingest: world.ingest,
    automations: world.services.automations,
    connections: world.services.connections,
    metrics,
    logger,
    now,
  };
}

async function stopRuntime(world: World): Promise<void> {
  await world.runtime?.close();
  world.runtime = null;
}

/** Waits until the consumer evaluated everything published and the outbox has nothing due. */
async function settle(world: World): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await world.runtime!.service.settled();
    await world.runtime!.runner.idle();
  }
}

async function storedEvents(world: World, name: string): Promise<ReceivedEvent[]> {
  const rows = await world.storage.events.readLog(0, 100_000);
  return rows.map((r) => JSON.parse(r.json) as ReceivedEvent).filter((e) => e.event === name);
}

const event = (name: string, resource: string, more: Record<string, unknown> = {}) => ({
  id: newEventId(),
  occurred: new Date().toISOString(),
  event: name,
  resource: { 'prefect.resource.id': resource },
  ...more,
});

async function automation(world: World, body: Record<string, unknown>): Promise<string> {
  const result = await world.services.automations.create({ actions: [{ type: 'do-nothing' }], ...body });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.automation.id;
}

const reactive = (resource: string, expect: string, threshold: number) => ({
  type: 'event',
  match: { 'prefect.resource.id': resource },
  expect: [expect],
  posture: 'Reactive',
  threshold,
  within: 600,
});

const dialects: [string, () => Promise<{ dataDir: string; databaseUrl: string | null; cleanup: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir: TempDir = createTempDir();
      return { dataDir: dir.path, databaseUrl: null, cleanup: async () => dir.remove() };
    },
  ],
  [
    'postgres',
    async () => {
      const dir: TempDir = createTempDir();
      const db: TempPostgres = await createTempPostgresDatabase();
      return {
        dataDir: dir.path,
        databaseUrl: db.url,
        cleanup: async () => {
          await db.drop();
          dir.remove();
        },
      };
    },
  ],
];

describe.each(dialects)('trigger service (%s)', (_name, provision) => {
  let world: World;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const p = await provision();
    cleanup = p.cleanup;
    world = await openWorld(p.dataDir, p.databaseUrl);
  });
  afterAll(async () => {
    await stopRuntime(world);
    await world.ingest.close();
    await world.storage.close();
    await cleanup();
  });

  // First: the engine is idle only while no automation exists.
  it('with no automation, skips events but commits their checkpoint; a later automation never counts them', async () => {
    await startRuntime(world);
    await world.ingest.ingestBatch([event('idle.tick', 'idle.a'), event('idle.tick', 'idle.a')]);
    await settle(world);
    expect(world.runtime!.service.checkpoint).toBe(await world.storage.events.lastSeq());
    await stopRuntime(world);
    await startRuntime(world);
    expect(world.runtime!.service.checkpoint).toBe(await world.storage.events.lastSeq());
    const id = await automation(world, { name: 'after-idle', trigger: reactive('idle.*', 'idle.tick', 3) });
    await world.ingest.ingestBatch([event('idle.tick', 'idle.a')]);
    await settle(world);
    await stopRuntime(world);
    await startRuntime(world);
    await world.ingest.ingestBatch([event('idle.tick', 'idle.a')]);
    await settle(world);
    expect(world.runtime!.traces.view(id).totals).toMatchObject({ counted: 2 });
    expect(world.runtime!.traces.view(id).totals.fired).toBeUndefined();
    expect(await world.services.automations.delete(id)).toBe(true);
  });

  it('evaluates the events stored while it was stopped when it starts again, once', async () => {
    await startRuntime(world);
    const id = await automation(world, { name: 'catch-up', trigger: reactive('catchup.*', 'catchup.tick', 2) });
    await settle(world);
    await stopRuntime(world);
    await world.ingest.ingestBatch([event('catchup.tick', 'catchup.a'), event('catchup.tick', 'catchup.a')]);
    await startRuntime(world);
    await settle(world);
    const triggered = (await storedEvents(world, 'herald.automation.triggered')).filter(
      (e) => e.resource['prefect.resource.id'] === `herald.automation.${id}`,
    );
    expect(triggered).toHaveLength(1);
    const checkpoint = world.runtime!.service.checkpoint;
    expect(checkpoint).toBe(await world.storage.events.lastSeq());
    // Another restart evaluates nothing again: the checkpoint was committed with the firing.
    await stopRuntime(world);
    await startRuntime(world);
    await settle(world);
    expect(
      (await storedEvents(world, 'herald.automation.triggered')).filter(
        (e) => e.resource['prefect.resource.id'] === `herald.automation.${id}`,
      ),
    ).toHaveLength(1);
    expect(await world.runtime!.store.pendingCount()).toBe(0);
  });

  it('keeps a half-counted window across a restart and fires once when it completes', async () => {
    await startRuntime(world);
    const id = await automation(world, { name: 'restore', trigger: reactive('restore.*', 'restore.tick', 3) });
    await world.ingest.ingestBatch([event('restore.tick', 'restore.a'), event('restore.tick', 'restore.a')]);
    await settle(world);
    await stopRuntime(world);
    await startRuntime(world);
    await world.ingest.ingestBatch([event('restore.tick', 'restore.a')]);
    await settle(world);
    const executed = (await storedEvents(world, 'herald.automation.action.executed')).filter(
      (e) => e.resource['prefect.resource.id'] === `herald.automation.${id}`,
    );
    expect(executed).toHaveLength(1);
    // The trace was saved on close and restored: it shows the counts from before the restart too.
    expect(world.runtime!.traces.view(id).totals).toMatchObject({ counted: 3, fired: 1, action: 1 });
  });

  it('follows automation changes: one created after start is evaluated, a deleted one no longer is', async () => {
    await startRuntime(world);
    const id = await automation(world, { name: 'changes', trigger: reactive('changes.*', 'changes.tick', 1) });
    await world.ingest.ingestBatch([event('changes.tick', 'changes.a')]);
    await settle(world);
    expect(world.runtime!.traces.view(id).totals.fired).toBe(1);
    expect(await world.services.automations.delete(id)).toBe(true);
    await world.ingest.ingestBatch([event('changes.tick', 'changes.a')]);
    await settle(world);
    expect(world.runtime!.traces.view(id).totals.fired).toBeUndefined();
    expect(
      (await storedEvents(world, 'herald.automation.triggered')).filter(
        (e) => e.resource['prefect.resource.id'] === `herald.automation.${id}`,
      ),
    ).toHaveLength(1);
  });

  it('does not hold a follower whose leader was evaluated before a restart', async () => {
    await startRuntime(world);
    const id = await automation(world, { name: 'causal', trigger: reactive('causal.*', 'causal.second', 1) });
    const leader = event('causal.first', 'causal.a');
    await world.ingest.ingestBatch([leader]);
    await settle(world);
    await stopRuntime(world);
    await startRuntime(world);
    await world.ingest.ingestBatch([event('causal.second', 'causal.a', { follows: leader.id })]);
    await settle(world);
    const kinds = world.runtime!.traces.view(id).entries.map((e) => e.kind);
    expect(kinds).not.toContain('waiting');
    expect(kinds).toContain('fired');
  });

  it('retries a failing webhook within its budget, then reports action.failed once, every attempt traced', async () => {
    let hits = 0;
    const receiver = createServer((_req, res) => {
      hits++;
      res.statusCode = 503;
      res.end('down');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as { port: number }).port;
      world.config = { ...world.config, triggers: { ...world.config.triggers, retry: { maxAttempts: 3, baseMs: 10, maxMs: 10 } } };
      await startRuntime(world);
      const connection = await world.services.connections.create({
        name: 'down',
        kind: 'webhook',
        settings: { method: 'POST' },
        secrets: { url: `http://127.0.0.1:${port}/` },
      });
      if (!connection.ok) throw new Error('connection');
      const id = await automation(world, {
        name: 'retries',
        trigger: reactive('retry.*', 'retry.tick', 1),
        actions: [{ type: 'call-webhook', block_document_id: connection.connection.id, payload: 'x' }],
      });
      await world.ingest.ingestBatch([event('retry.tick', 'retry.a')]);
      for (let i = 0; i < 200 && (await storedEvents(world, 'herald.automation.action.failed')).length === 0; i++) await settle(world);
      const failed = (await storedEvents(world, 'herald.automation.action.failed')).filter(
        (e) => e.resource['prefect.resource.id'] === `herald.automation.${id}`,
      );
      expect(failed).toHaveLength(1);
      expect(failed[0]!.payload).toMatchObject({ attempt: 3, status_code: 503 });
      expect(hits).toBe(3);
      const trace = world.runtime!.traces.view(id);
      expect(trace.totals).toMatchObject({ 'action-attempt': 2, action: 1 });
      expect(trace.entries.filter((e) => e.kind === 'action-attempt').map((e) => e.detail.attempt)).toEqual([1, 2]);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

describe('trigger service (postgres): two consumers of one database', () => {
  it('stops the one that started first as soon as the second claims the state, and lets only the second fire', async () => {
    const dir = createTempDir();
    const db = await createTempPostgresDatabase();
    const world = await openWorld(dir.path, db.url);
    const startConsumer = (onFencedOut: () => void) =>
      startAutomationRuntime({ ...runtimeOptions(world, createMetrics(() => world.storage.events.sizeBytes())), onFencedOut });
    let fencedOut = 0;
    const older = await startConsumer(() => fencedOut++);
    let newer: AutomationRuntime | null = null;
    try {
      const id = await automation(world, { name: 'fenced', trigger: reactive('fence.*', 'fence.tick', 1) });
      await older.service.settled();
      newer = await startConsumer(() => undefined);
      await world.ingest.ingestBatch([event('fence.tick', 'fence.a')]);
      for (let i = 0; i < 3; i++) {
        await newer.service.settled();
        await newer.runner.idle();
      }
      await older.service.settled();
      expect(fencedOut).toBe(1);
      // One firing: the older consumer evaluated the event too, but could not commit it.
      const triggered = (await storedEvents(world, 'herald.automation.triggered')).filter(
        (e) => e.resource['prefect.resource.id'] === `herald.automation.${id}`,
      );
      expect(triggered).toHaveLength(1);
    } finally {
      await older.close();
      await newer?.close();
      await world.ingest.close();
      await world.storage.close();
      await db.drop();
      dir.remove();
    }
  });
});
