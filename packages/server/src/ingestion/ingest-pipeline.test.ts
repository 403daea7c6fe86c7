import { DEFAULT_EVENT_LIMITS, HeraldError, newEventId, type Event, type ReceivedEvent } from '@herald/core';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInMemoryEventBus } from '../messaging/event-bus.js';
import { createMetrics, type HeraldMetrics } from '../observability/metrics.js';
import type { EventStore, Storage } from '../storage/ports.js';
import { openSqliteStorage } from '../storage/sqlite/index.js';
import { survivingAfterGc } from '../test-support/garbage.js';
import { createTempDir, type TempDir } from '../test-support/temp-resources.js';
import { metricValue, testEvent } from '../test-support/ws-test-server.js';
import { createIngestPipeline, type IngestPipeline } from './ingest-pipeline.js';
import type { IngestOneResult } from './ingest-service.js';

let dir: TempDir;
let storage: Storage;
let metrics: HeraldMetrics;
let pipeline: IngestPipeline;

beforeAll(async () => {
  dir = createTempDir('herald-ingest-');
  storage = await openSqliteStorage({ dataDir: dir.path });
  metrics = createMetrics(() => storage.events.sizeBytes());
  pipeline = newPipeline();
});

afterAll(async () => {
  await pipeline.close();
  await storage.close();
  dir.remove();
});

function newPipeline(): IngestPipeline {
  const logger = pino({ level: 'silent' });
  return createIngestPipeline({
    store: storage.events,
    bus: createInMemoryEventBus(),
    limits: DEFAULT_EVENT_LIMITS,
    commitMaxEvents: 5000,
    metrics,
    logger,
  });
}

const commits = () => metricValue(metrics, 'herald_group_commit_events');

/** What a result says, in a form that compares easily: `id:result` or `error:event_id:pointer:type`. */
function describeResult(result: IngestOneResult): string {
  if (result.ok) return `${result.id}:${result.result}`;
  return `error:${result.eventId}:${result.issues.map((i) => `${i.pointer}:${i.type}`).join(',')}`;
}

describe('ingestFrames', () => {
  it('validates each input alone, answers in input order, and commits the valid ones in one submission', async () => {
    const a = testEvent('acme.frames');
    const b = testEvent('acme.frames');
    const upper = testEvent('acme.frames');
    const invalid = { ...testEvent('acme.frames'), resource: undefined };
    const tooLarge = testEvent('acme.frames', { payload: { blob: 'x'.repeat(1_600_000) } });
    const before = await commits();

    const results = await pipeline.ingestFrames([
      a,
      invalid,
      { ...upper, id: upper.id.toUpperCase() },
      'not an object',
      b,
      a,
      { ...a, payload: { changed: true } },
      tooLarge,
    ]);

    expect(results.map(describeResult)).toEqual([
      `${a.id}:inserted`,
      `error:${invalid.id}:/resource:missing`,
      `${upper.id}:inserted`,
      'error:null::dict_type',
      `${b.id}:inserted`,
      `${a.id}:duplicate`,
      `${a.id}:conflict`,
      `error:${tooLarge.id}::event_too_large`,
    ]);
    expect(await commits()).toBe(before + 1);
    for (const stored of [a, b, upper]) expect(await storage.events.get(stored.id)).not.toBeNull();
    expect(await storage.events.get(invalid.id)).toBeNull();
    expect(await storage.events.get(tooLarge.id)).toBeNull();
  });

  it('commits nothing when every input is invalid', async () => {
    const before = await commits();
    const results = await pipeline.ingestFrames([{}, 42, null]);
    expect(results.map((r) => r.ok)).toEqual([false, false, false]);
    expect(await commits()).toBe(before);
  });

  it('agrees with ingestOne on every input', async () => {
    const event = testEvent('acme.one');
    expect(await pipeline.ingestOne(event)).toEqual({ ok: true, id: event.id, result: 'inserted' });
    expect(await pipeline.ingestFrames([event])).toEqual([{ ok: true, id: event.id, result: 'duplicate' }]);
    const [fromFrames] = await pipeline.ingestFrames([{ id: 'x' }]);
    expect(await pipeline.ingestOne({ id: 'x' })).toEqual(fromFrames);
  });

  it('rejects with SHUTTING_DOWN once closed, but still answers a batch with nothing to commit', async () => {
    const closed = newPipeline();
    await closed.close();
    const error = await closed.ingestFrames([{}, testEvent('acme.late')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeraldError);
    expect((error as HeraldError).code).toBe('SHUTTING_DOWN');
    expect((await closed.ingestFrames([{}])).map((r) => r.ok)).toEqual([false]);
  });

  it('stores exactly the valid inputs of any mix, each answered in place (property)', async () => {
    type Kind = 'valid' | 'missing-resource' | 'bad-id' | 'not-object' | 'repeat';
    const kinds = fc.array(fc.constantFrom<Kind>('valid', 'missing-resource', 'bad-id', 'not-object', 'repeat'), {
      minLength: 1,
      maxLength: 30,
    });
    await fc.assert(
      fc.asyncProperty(kinds, async (sequence) => {
        const sent: Event[] = [];
        const inputs: unknown[] = [];
        const expected: string[] = [];
        for (const kind of sequence) {
          const event = testEvent('acme.property');
          if (kind === 'valid' || (kind === 'repeat' && sent.length === 0)) {
            sent.push(event);
            inputs.push(event);
            expected.push(`${event.id}:inserted`);
          } else if (kind === 'repeat') {
            const earlier = sent[sent.length - 1]!;
            inputs.push(earlier);
            expected.push(`${earlier.id}:duplicate`);
          } else if (kind === 'missing-resource') {
            inputs.push({ ...event, resource: undefined });
            expected.push(`error:${event.id}:/resource:missing`);
          } else if (kind === 'bad-id') {
            inputs.push({ ...event, id: 'not-a-uuid' });
            expected.push('error:not-a-uuid:/id:uuid_parsing');
          } else {
            inputs.push([event]);
            expected.push('error:null::dict_type');
          }
        }
        const results = await pipeline.ingestFrames(inputs);
        expect(results.map(describeResult)).toEqual(expected);
        for (const event of sent) expect(await storage.events.get(event.id)).not.toBeNull();
      }),
      { numRuns: 25 },
    );
  });

  it('gives every valid input of one call the same received time', async () => {
    const events = [testEvent('acme.received'), testEvent('acme.received', { id: newEventId() })];
    await pipeline.ingestFrames(events);
    const received = await Promise.all(
      events.map(async (e) => (JSON.parse((await storage.events.get(e.id))!.json) as ReceivedEvent).received),
    );
    expect(received[0]).toEqual(expect.any(String));
    expect(received[0]).toBe(received[1]);
  });

  it('keeps none of the parsed events while their commit runs, only what the answer and the bus need', async () => {
    // Under websocket load thousands of events wait for their commit; were their objects kept, every
    // young-generation GC would copy them.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = Object.create(storage.events) as EventStore;
    held.append = (records) => {
      const written = storage.events.append(records);
      return gate.then(() => written);
    };
    const gated = createIngestPipeline({
      store: held,
      bus: createInMemoryEventBus(),
      limits: DEFAULT_EVENT_LIMITS,
      commitMaxEvents: 5000,
      metrics,
      logger: pino({ level: 'silent' }),
    });
    const { answered, parsed, ids } = ingestUnreferenced(gated, 3);
    expect(await survivingAfterGc(parsed)).toBe(0);
    release();
    expect((await answered).map(describeResult)).toEqual(ids.map((id) => `${id}:inserted`));
    await gated.close();
  });
});

/** Hands `count` events to `ingestFrames` and keeps only weak references to their objects. */
function ingestUnreferenced(
  target: IngestPipeline,
  count: number,
): { answered: Promise<IngestOneResult[]>; parsed: WeakRef<object>[]; ids: string[] } {
  const events = Array.from({ length: count }, () => testEvent('acme.unreferenced', { payload: { nested: { deep: [1, 2] } } }));
  const parsed = events.flatMap((e) => [new WeakRef(e), new WeakRef(e.resource), new WeakRef(e.payload)]);
  return { answered: target.ingestFrames(events), parsed, ids: events.map((e) => e.id) };
}
