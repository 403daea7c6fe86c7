import { randomUUID } from 'node:crypto';
import type { EventFilterInput, ReceivedEvent } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmitReceipt } from './event-sender.js';
import { HeraldApiError, HeraldClientError } from './herald-api-error.js';
import { createHeraldClient, type HeraldClient } from './herald-client.js';
import { startTcpProxy, type TcpProxy } from './test-support/tcp-proxy.js';
import { closedPortUrl, startTestHerald, type TestHerald } from '../../../test/support/test-herald.js';

let herald: TestHerald;
let proxy: TcpProxy;
const clients: HeraldClient[] = [];

/** A client that fails loudly in tests: anything reported to onError is collected and asserted empty. */
function client(options: Parameters<typeof createHeraldClient>[0] = {}, url = herald.url): HeraldClient & { reported: HeraldClientError[] } {
  const reported: HeraldClientError[] = [];
  const c = createHeraldClient({ url, flushOnExit: false, onError: (e) => reported.push(e), ...options });
  clients.push(c);
  return Object.assign(c, { reported });
}

/** A unique resource prefix per test, so that tests sharing one server never see each other's events. */
function scope(): string {
  return `test.${randomUUID().slice(0, 8)}.`;
}

async function collect(iterable: AsyncIterable<ReceivedEvent>): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

beforeAll(async () => {
  herald = await startTestHerald();
  proxy = await startTcpProxy(herald.url);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ timeoutMs: 1_000 }).catch(() => undefined)));
  await proxy.close();
  await herald.close();
});

describe('emitEvent against a real server', () => {
  it('acknowledges every pipelined event after commit, and they are all queryable', async () => {
    const c = client();
    const prefix = scope();
    const receipts = await Promise.all(
      Array.from({ length: 1_500 }, (_, i) => c.emitEvent({ event: 'test.emitted', resource: { 'prefect.resource.id': `${prefix}${i}` }, payload: { i } })),
    );
    expect(new Set(receipts.map((r) => r.result))).toEqual(new Set(['inserted']));
    const stored = await collect(c.query({ resource: { id_prefix: [prefix] }, order: 'ASC' }, { pageSize: 200 }));
    expect(stored.length).toBe(1_500);
    expect(new Set(stored.map((e) => e.id))).toEqual(new Set(receipts.map((r) => r.id)));
    expect(c.pending).toBe(0);
    expect(c.reported).toEqual([]);
  });

  it('fire-and-forget events are delivered by flush()', async () => {
    const c = client();
    const prefix = scope();
    for (let i = 0; i < 300; i++) void c.emitEvent({ event: 'test.fire-and-forget', resource: { 'prefect.resource.id': `${prefix}${i}` } });
    expect(c.pending).toBeGreaterThan(0);
    await c.flush();
    const { total } = await c.queryPage({ resource: { id_prefix: [prefix] } }, { limit: 1 });
    expect([total, c.pending, c.reported.length]).toEqual([300, 0, 0]);
  });

  it('loses and duplicates nothing when the connection is cut mid-stream', async () => {
    const c = client({ backoff: { initialDelayMs: 20, maxDelayMs: 200 } }, proxy.url);
    const prefix = scope();
    const acknowledged: EmitReceipt[] = [];
    let cuts = 0;
    const promises = Array.from({ length: 3_000 }, (_, i) =>
      c.emitEvent({ event: 'test.cut', resource: { 'prefect.resource.id': `${prefix}${i}` } }).then((receipt) => {
        acknowledged.push(receipt);
        // Cut twice while events are in flight.
        if ((acknowledged.length === 500 || acknowledged.length === 1_800) && proxy.open > 0) {
          cuts++;
          proxy.cutAll();
        }
        return receipt;
      }),
    );
    const receipts = await Promise.all(promises);
    expect(cuts).toBe(2);
    expect(receipts.length).toBe(3_000);
    const stored = await collect(c.query({ resource: { id_prefix: [prefix] } }));
    expect(stored.length).toBe(3_000);
    expect(new Set(stored.map((e) => e.id)).size).toBe(3_000);
    // Events in flight at a cut are sent again; the server recognises them.
    expect(receipts.every((r) => r.result === 'inserted' || r.result === 'duplicate')).toBe(true);
  });

  it('replaces a connection that went silent (no pong) and delivers what was in flight', async () => {
    const c = client({ heartbeatIntervalMs: 100, backoff: { initialDelayMs: 20, maxDelayMs: 200 } }, proxy.url);
    const prefix = scope();
    await c.emitEvent({ event: 'test.silent', resource: { 'prefect.resource.id': `${prefix}first` } });
    proxy.freezeAll();
    const started = Date.now();
    const receipts = await Promise.all(Array.from({ length: 10 }, (_, i) => c.emitEvent({ event: 'test.silent', resource: { 'prefect.resource.id': `${prefix}${i}` } })));
    expect(receipts.length).toBe(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    // Query directly: pooled HTTP connections through the proxy are frozen too.
    const { total } = await client().queryPage({ resource: { id_prefix: [prefix] } }, { limit: 1 });
    expect(total).toBe(11);
  });

  it('rejects an event the server refuses without holding up the ones behind it', async () => {
    // The client allows longer names than the server (1024), so the server is the one to refuse.
    const c = client({ limits: { maxEventNameLength: 5_000 } });
    const prefix = scope();
    const before = c.emitEvent({ event: 'test.ok', resource: { 'prefect.resource.id': `${prefix}before` } });
    const bad = c.emitEvent({ event: 'x'.repeat(2_000), resource: { 'prefect.resource.id': `${prefix}bad` } });
    const after = Array.from({ length: 20 }, (_, i) => c.emitEvent({ event: 'test.ok', resource: { 'prefect.resource.id': `${prefix}after${i}` } }));
    const error = await bad.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HeraldApiError);
    expect([(error as HeraldApiError).status, (error as HeraldApiError).code]).toEqual([422, 'EVENT_VALIDATION_FAILED']);
    expect((error as HeraldApiError).details).toMatchObject({ issues: [{ pointer: '/event', type: 'string_too_long' }] });
    expect((await Promise.all([before, ...after])).length).toBe(21);
    const { total } = await c.queryPage({ resource: { id_prefix: [prefix] } }, { limit: 1 });
    expect([total, c.pending]).toEqual([21, 0]);
  });

  it('reports a refused event that nobody awaited to onError, without an unhandled rejection', async () => {
    const c = client({ limits: { maxEventNameLength: 5_000 } });
    void c.emitEvent({ event: 'x'.repeat(2_000), resource: { 'prefect.resource.id': `${scope()}bad` } });
    await c.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(c.reported.map((e) => e.code)).toEqual(['EVENT_VALIDATION_FAILED']);
  });

  it('throws at once for a locally invalid event and queues nothing', () => {
    const c = client();
    expect(() => c.emitEvent({ event: 'x', resource: { name: 'no id' } })).toThrow(HeraldClientError);
    expect(c.pending).toBe(0);
  });

  it('rejects with QUEUE_FULL beyond maxQueue instead of growing', async () => {
    const c = client({ maxQueue: 5 });
    const prefix = scope();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => c.emitEvent({ event: 'test.q', resource: { 'prefect.resource.id': `${prefix}${i}` } })));
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as HeraldClientError).code))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL']);
  });

  it('gives up with CONNECTION_FAILED after maxConnectAttempts when nothing listens', async () => {
    const c = client({ maxConnectAttempts: 2, backoff: { initialDelayMs: 10, maxDelayMs: 20 } }, await closedPortUrl());
    const error = await c.emitEvent({ event: 'test.x', resource: { 'prefect.resource.id': 'x' } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as HeraldClientError).code).toBe('CONNECTION_FAILED');
    expect(c.reported.map((e) => e.code)).toEqual(['CONNECTION_FAILED']);
  });
});

describe('queries against a real server', () => {
  it('reads one event by id, and null for an unknown id', async () => {
    const c = client();
    const receipt = await c.emitEvent({ event: 'test.get', resource: { 'prefect.resource.id': `${scope()}one` }, payload: { n: 1 } });
    const event = await c.getEvent(receipt.id);
    expect([event?.id, event?.event, event?.payload]).toEqual([receipt.id, 'test.get', { n: 1 }]);
    expect(await c.getEvent(randomUUID())).toBeNull();
  });

  it('stops at the requested limit and counts by event name', async () => {
    const c = client();
    const prefix = scope();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => c.emitEvent({ event: i % 3 === 0 ? 'test.count.a' : 'test.count.b', resource: { 'prefect.resource.id': `${prefix}${i}` } })),
    );
    expect((await collect(c.query({ resource: { id_prefix: [prefix] } }, { limit: 7, pageSize: 3 }))).length).toBe(7);
    const counts = await c.countBy('event', { resource: { id_prefix: [prefix] } });
    expect(counts.map((r) => [r.value, r.count])).toEqual([
      ['test.count.b', 20],
      ['test.count.a', 10],
    ]);
  });

  it('finds the events that follow one with the follows clause (Herald only)', async () => {
    const c = client();
    const prefix = scope();
    const leader = await c.emitEvent({ event: 'test.leader', resource: { 'prefect.resource.id': `${prefix}leader` } });
    const followers = [];
    for (let i = 0; i < 3; i++) {
      followers.push(await c.emitEvent({ event: 'test.follower', resource: { 'prefect.resource.id': `${prefix}other.${i}` }, follows: leader.id }));
    }
    await c.emitEvent({ event: 'test.unrelated', resource: { 'prefect.resource.id': `${prefix}leader` } });
    const filter: EventFilterInput = { follows: { id: [leader.id] }, order: 'ASC' };
    expect((await collect(c.query(filter))).map((e) => e.id)).toEqual(followers.map((f) => f.id));
    expect((await c.queryPage({ ...filter, order: 'DESC' }, { limit: 1 })).total).toBe(3);
  });

  it('raises HeraldApiError with the server code for an invalid filter', async () => {
    const c = client();
    const error = await c.queryPage({ bogus: true } as never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HeraldApiError);
    expect([(error as HeraldApiError).status, (error as HeraldApiError).code]).toEqual([422, 'FILTER_INVALID']);
  });
});

describe('subscribe against a real server', () => {
  it('receives live events matching the filter', async () => {
    const c = client();
    const prefix = scope();
    const subscription = c.subscribe({ resource: { id_prefix: [prefix] } }, { backfill: false });
    await subscription.ready();
    const receipts = await Promise.all(
      Array.from({ length: 5 }, (_, i) => c.emitEvent({ event: 'test.live', resource: { 'prefect.resource.id': `${prefix}${i}` } })),
    );
    await c.emitEvent({ event: 'test.live', resource: { 'prefect.resource.id': `${scope()}other` } });
    const seen: string[] = [];
    for await (const event of subscription) {
      seen.push(event.id);
      if (seen.length === 5) break;
    }
    expect(seen.sort()).toEqual(receipts.map((r) => r.id).sort());
  });

  it('replays only the newest backfillLimit stored events, oldest first, then live ones', async () => {
    const c = client();
    const prefix = scope();
    const stored = [];
    for (let i = 5; i >= 0; i--) {
      const occurred = new Date(Date.now() - i * 1000).toISOString();
      stored.push(await c.emitEvent({ event: 'test.tail', occurred, resource: { 'prefect.resource.id': `${prefix}${i}` } }));
    }
    const subscription = c.subscribe({ resource: { id_prefix: [prefix] } }, { backfillLimit: 2 });
    const seen: string[] = [];
    let live: string | undefined;
    for await (const event of subscription) {
      seen.push(event.id);
      if (seen.length === 2) live = (await c.emitEvent({ event: 'test.tail', resource: { 'prefect.resource.id': `${prefix}live` } })).id;
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([stored[4]!.id, stored[5]!.id, live]);
  });

  it('resumes after a cut connection without losing or repeating events', async () => {
    const c = client({ backoff: { initialDelayMs: 20, maxDelayMs: 200 } });
    const watcher = client({ backoff: { initialDelayMs: 20, maxDelayMs: 200 } }, proxy.url);
    const prefix = scope();
    const subscription = watcher.subscribe({ resource: { id_prefix: [prefix] } }, { backfill: false });
    await subscription.ready();
    const emit = (from: number, to: number) =>
      Promise.all(Array.from({ length: to - from }, (_, i) => c.emitEvent({ event: 'test.resume', resource: { 'prefect.resource.id': `${prefix}${from + i}` } })));
    const first = await emit(0, 20);
    const seen: string[] = [];
    for await (const event of subscription) {
      seen.push(event.id);
      if (seen.length === 10) {
        proxy.cutAll();
        await emit(20, 40).then((more) => first.push(...more));
      }
      if (seen.length === 40) break;
    }
    expect(seen.length).toBe(40);
    expect(new Set(seen)).toEqual(new Set(first.map((r) => r.id)));
  });

  it('serves concurrent next() calls in order, and client.close() ends the subscription', async () => {
    const c = createHeraldClient({ url: herald.url, flushOnExit: false });
    const prefix = scope();
    const subscription = c.subscribe({ resource: { id_prefix: [prefix] } }, { backfill: false });
    await subscription.ready();
    const pending = [subscription.next(), subscription.next(), subscription.next()];
    const receipts = [];
    for (let i = 0; i < 2; i++) receipts.push(await c.emitEvent({ event: 'test.concurrent', resource: { 'prefect.resource.id': `${prefix}${i}` } }));
    const [a, b] = await Promise.all(pending.slice(0, 2));
    expect([a?.value?.id, b?.value?.id]).toEqual(receipts.map((r) => r.id));
    await c.close();
    expect(await pending[2]).toEqual({ value: undefined, done: true });
  });

  it('ends iteration with HeraldApiError when the server refuses the filter', async () => {
    const c = client();
    const subscription = c.subscribe({ bogus: 1 } as never);
    const error = await subscription.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HeraldApiError);
    expect([(error as HeraldApiError).status, (error as HeraldApiError).code]).toEqual([422, 'FILTER_INVALID']);
  });
});
