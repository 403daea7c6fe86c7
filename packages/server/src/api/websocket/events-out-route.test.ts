import { formatDateTime, MICROS, toMicros } from '@herald/core';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../storage/ports.js';
import { connect, connectPrefect, type TestSocket } from '../../test-support/ws-test-client.js';
import {
  createTestStorageLocation,
  metricValue,
  startWsTestServer,
  testEvent,
  testRecord,
  type TestBackend,
  type WsTestServer,
} from '../../test-support/ws-test-server.js';
import { EXPECTED_FILTER_REASON } from './events-out-route.js';

describe.each<TestBackend>(['sqlite', 'postgres'])('/api/events/out on %s', (backend) => {
  let location: Awaited<ReturnType<typeof createTestStorageLocation>>;
  let server: WsTestServer;
  /** Runs once, the next time the routes read the store's last seq: right after a subscriber subscribed to the bus. */
  let onLastSeq: (() => void) | null = null;

  beforeAll(async () => {
    location = await createTestStorageLocation(backend);
    server = await startWsTestServer({
      storage: location.storage,
      websocket: { backfillPageSize: 5 },
      wrapEvents: (events) =>
        Object.assign(Object.create(events) as EventStore, {
          lastSeq: () => {
            const hook = onLastSeq;
            onLastSeq = null;
            hook?.();
            return events.lastSeq();
          },
        }),
    });
  });

  afterAll(async () => {
    await server.close();
    await location.remove();
  });

  const iso = (msAgo: number) => formatDateTime(toMicros(Date.now() - msAgo));
  const ids = (socket: TestSocket) => socket.messages.filter((m) => m.type === 'event').map((m) => m.event!.id);

  async function subscribe(filter: unknown, options: { backfill?: boolean; query?: string; url?: string } = {}): Promise<TestSocket> {
    const socket = await connectPrefect(`${options.url ?? server.baseUrl}/api/events/out${options.query ?? ''}`, null);
    socket.send({ type: 'filter', filter, ...(options.backfill === undefined ? {} : { backfill: options.backfill }) });
    return socket;
  }

  /** Ingests a marker and waits until the subscriber has it: everything published before is then delivered. */
  async function settle(socket: TestSocket, resourceId: string): Promise<string> {
    const marker = testEvent(resourceId);
    await server.pipeline.ingestOne(marker);
    await socket.waitUntil((m) => m.some((x) => x.event?.id === marker.id));
    return marker.id;
  }

  describe('filter message', () => {
    it('backfills in ascending order whatever the requested order, then streams live events', async () => {
      const resource = 'acme.order';
      const backfill = [30, 10, 50, 20, 40, 5, 45].map((seconds) => testEvent(resource, { agoMs: seconds * 1000 }));
      await server.pipeline.ingestBatch(backfill);
      const socket = await subscribe({ resource: { id: [resource] }, order: 'DESC' });
      await socket.waitUntil((m) => m.length === backfill.length);
      const byOccurred = [...backfill].sort((a, b) => a.occurred.localeCompare(b.occurred)).map((e) => e.id);
      expect(ids(socket)).toEqual(byOccurred);
      const live = [testEvent(resource), testEvent(resource)];
      for (const event of live) await server.pipeline.ingestOne(event);
      await socket.waitUntil((m) => m.length === backfill.length + live.length);
      expect(ids(socket).slice(backfill.length)).toEqual(live.map((e) => e.id));
      // The canonical JSON is sent as stored, `received` included.
      expect(socket.messages[0]).toEqual({ type: 'event', event: JSON.parse((await server.storage.events.get(byOccurred[0]!))!.json) });
      socket.ws.close();
    });

    it('sends only the newest backfill_limit events of the window, oldest first, then live events (Herald only)', async () => {
      const resource = 'acme.tail';
      // Out of order on purpose: "newest" is by occurred, not by arrival. One is outside the window.
      const stored = [30, 10, 50, 20, 40, 5, 45, 16 * 60].map((seconds) => testEvent(resource, { agoMs: seconds * 1000 }));
      await server.pipeline.ingestBatch(stored);
      const socket = await connectPrefect(`${server.baseUrl}/api/events/out`, null);
      socket.send({ type: 'filter', filter: { resource: { id: [resource] } }, backfill: true, backfill_limit: 3 });
      const newest = [...stored].sort((a, b) => a.occurred.localeCompare(b.occurred)).slice(-3).map((e) => e.id);
      // The backfill first: a marker ingested before the filter is read would be among the newest three.
      await socket.waitUntil((m) => m.length === 3);
      expect(ids(socket)).toEqual(newest);
      const marker = await settle(socket, resource);
      expect(ids(socket)).toEqual([...newest, marker]);

      // More than the window holds: the whole window, as without a limit.
      const all = await subscribe({ resource: { id: [resource] } });
      const wide = await connectPrefect(`${server.baseUrl}/api/events/out`, null);
      wide.send({ type: 'filter', filter: { resource: { id: [resource] } }, backfill_limit: 100 });
      // The window holds the seven recent events and the marker.
      for (const s of [all, wide]) await s.waitUntil((m) => m.length === stored.length);
      expect(ids(wide)).toEqual(ids(all));
      expect(ids(wide)).toEqual([...stored.slice(0, -1)].sort((a, b) => a.occurred.localeCompare(b.occurred)).map((e) => e.id).concat(marker));
      for (const s of [socket, all, wide]) s.ws.close();
    });

    it('sends no backfill when backfill_limit is 0, and closes with 1002 when it is not a whole number from 0 to 10,000', async () => {
      const resource = 'acme.tail-none';
      const old = testEvent(resource, { agoMs: 1000 });
      await server.pipeline.ingestOne(old);
      const socket = await connectPrefect(`${server.baseUrl}/api/events/out`, null);
      socket.send({ type: 'filter', filter: { resource: { id: [resource] } }, backfill_limit: 0 });
      // Until the filter is processed, markers may be missed: retry until one arrives.
      await expect
        .poll(async () => {
          await server.pipeline.ingestOne(testEvent(resource));
          return socket.messages.length;
        })
        .toBeGreaterThan(0);
      expect(ids(socket)).not.toContain(old.id);
      socket.ws.close();

      for (const limit of [-1, 1.5, '10', 10_001, true]) {
        const bad = await connectPrefect(`${server.baseUrl}/api/events/out`, null);
        bad.send({ type: 'filter', filter: {}, backfill_limit: limit });
        expect(await bad.closed).toEqual({ code: 1002, reason: 'Invalid backfill_limit: expected a whole number from 0 to 10000' });
      }
    });

    it('clamps the backfill to the last 15 minutes, while live events follow the filter as sent', async () => {
      const resource = 'acme.window';
      const old = testEvent(resource, { agoMs: 20 * 60_000 });
      const recent = testEvent(resource, { agoMs: 5 * 60_000 });
      await server.pipeline.ingestBatch([old, recent]);
      const socket = await subscribe({ resource: { id: [resource] }, occurred: { since: iso(60 * 60_000) } });
      const lateArrival = testEvent(resource, { agoMs: 30 * 60_000 });
      await socket.waitUntil((m) => m.length === 1);
      await server.pipeline.ingestOne(lateArrival);
      const marker = await settle(socket, resource);
      expect(ids(socket)).toEqual([recent.id, lateArrival.id, marker]);
      socket.ws.close();
    });

    it('delivers live events to a subscriber that sent no until (DECISIONS 4), future ones included', async () => {
      const resource = 'acme.unbounded';
      const socket = await subscribe({ resource: { id: [resource] } });
      const future = testEvent(resource, { agoMs: -60_000 });
      // Subscribed once the backfill (empty here) is over: a marker proves it.
      const first = await settle(socket, resource);
      await server.pipeline.ingestOne(future);
      const last = await settle(socket, resource);
      expect(ids(socket)).toEqual([first, future.id, last]);
      socket.ws.close();
    });

    it('delivers the followers of an event, backfilled and live, with the follows clause (Herald only)', async () => {
      const resource = 'acme.follows';
      const leader = testEvent(resource);
      const early = { ...testEvent('acme.elsewhere', { agoMs: 1000 }), follows: leader.id.toUpperCase() };
      await server.pipeline.ingestOne(leader);
      await server.pipeline.ingestOne(early);
      const socket = await subscribe({ follows: { id: [leader.id] } });
      await socket.waitUntil((m) => m.length === 1);
      const live = { ...testEvent('acme.elsewhere.2'), follows: leader.id };
      await server.pipeline.ingestOne(testEvent(resource));
      await server.pipeline.ingestOne(live);
      await socket.waitUntil((m) => m.length === 2);
      expect(ids(socket)).toEqual([early.id, live.id]);
      socket.ws.close();
    });

    it('does not deliver live events past an explicit until', async () => {
      const resource = 'acme.bounded';
      const socket = await subscribe({ resource: { id: [resource] }, occurred: { since: iso(60_000), until: iso(-3_600_000) } });
      const inside = testEvent(resource);
      const after = testEvent(resource, { agoMs: -2 * 3_600_000 });
      await server.pipeline.ingestOne(inside);
      await socket.waitUntil((m) => m.length === 1);
      await server.pipeline.ingestOne(after);
      await settle(socket, resource);
      expect(ids(socket)).not.toContain(after.id);
      expect(ids(socket)[0]).toBe(inside.id);
      socket.ws.close();
    });

    it('sends no backfill when backfill is false', async () => {
      const resource = 'acme.no-backfill';
      await server.pipeline.ingestOne(testEvent(resource));
      const socket = await subscribe({ resource: { id: [resource] } }, { backfill: false });
      // Until the filter is processed, markers may be missed: retry until one arrives.
      await expect
        .poll(async () => {
          await server.pipeline.ingestOne(testEvent(resource));
          return socket.messages.length;
        })
        .toBeGreaterThan(0);
      const marker = await settle(socket, resource);
      expect(ids(socket).at(-1)).toBe(marker);
      const stored = await server.storage.events.page({
        filter: {
          since: 0,
          until: null,
          event: {},
          resource: { ids: [resource] },
          distinct: false,
          related: [],
          anyResource: [],
          order: 'ASC',
        },
        limit: 100,
      });
      expect(ids(socket)).not.toContain(JSON.parse(stored[0]!.json).id);
      socket.ws.close();
    });

    it('accepts the fully expanded filter of Prefect’s Python subscriber', async () => {
      const resource = 'acme.sdk';
      const event = testEvent(resource);
      await server.pipeline.ingestOne(event);
      const sdkFilter = {
        occurred: { since: iso(60_000), until: formatDateTime(toMicros(Date.now()) + 365 * MICROS.day) },
        event: null,
        any_resource: null,
        resource: { id: [resource], id_prefix: null, labels: null, distinct: false },
        related: null,
        id: { id: [] },
        text: null,
        order: 'DESC',
      };
      const socket = await subscribe(sdkFilter);
      await socket.waitUntil((m) => m.length === 1);
      expect(ids(socket)).toEqual([event.id]);
      socket.ws.close();
    });

    it('ignores whatever the client sends after the filter', async () => {
      const resource = 'acme.chatty';
      const socket = await subscribe({ resource: { id: [resource] } });
      socket.send('not json');
      socket.send({ type: 'filter', filter: { resource: { id: ['other'] } } });
      await settle(socket, resource);
      expect(socket.ws.readyState).toBe(socket.ws.OPEN);
      socket.ws.close();
    });

    it('closes with 1002 when the message after the handshake is not a valid filter message', async () => {
      for (const first of [{ type: 'auth', token: null }, '{oops', [1], { filter: {} }, Buffer.from('{"type":"filter"}')]) {
        const socket = await connectPrefect(`${server.baseUrl}/api/events/out`, null);
        socket.send(first);
        expect(await socket.closed).toEqual({ code: 1002, reason: EXPECTED_FILTER_REASON });
      }
      // Legacy mode: the filter message must be the very first one.
      const legacy = await connect(`${server.baseUrl}/api/events/out`);
      legacy.send({ type: 'auth', token: null });
      expect(await legacy.closed).toEqual({ code: 1002, reason: EXPECTED_FILTER_REASON });
    });

    it('closes with 1002 and a reason of at most 123 bytes when the filter is invalid', async () => {
      for (const filter of [{ occurred: { since: 'yesterday' } }, { ['unknown_' + 'é'.repeat(200)]: 1 }, { id: { id: ['not-a-uuid'] } }]) {
        const socket = await subscribe(filter);
        const { code, reason } = await socket.closed;
        expect(code).toBe(1002);
        expect(reason.startsWith('Invalid filter: ')).toBe(true);
        expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
      }
    });
  });

  describe('backfill, then live, with no gap and no duplicate', () => {
    it('delivers every event exactly once to subscribers that join while events are being ingested', async () => {
      const resource = 'acme.race';
      const all: string[] = [];
      const ingestRound = async () => {
        const batch = Array.from({ length: 4 }, () => testEvent(resource));
        all.push(...batch.map((e) => e.id));
        await server.pipeline.ingestBatch(batch);
      };
      for (let i = 0; i < 10; i++) await ingestRound();
      const producer = (async () => {
        for (let i = 0; i < 60; i++) await ingestRound();
      })();
      const subscribers: TestSocket[] = [];
      for (let i = 0; i < 5; i++) {
        subscribers.push(await subscribe({ resource: { id: [resource] } }));
        await delay(15);
      }
      await producer;
      const marker = testEvent(resource);
      all.push(marker.id);
      await server.pipeline.ingestOne(marker);
      for (const socket of subscribers) {
        // Live events arrive in publish order, so once the marker is in, everything before it is too.
        await socket.waitUntil((m) => m.some((x) => x.event?.id === marker.id));
        const received = ids(socket);
        expect(received.length).toBe(all.length);
        expect([...received].sort()).toEqual([...all].sort());
        socket.ws.close();
      }
    });

    it('skips the live copy of an event that the backfill sent, whichever arrives first', async () => {
      const resource = 'acme.dedupe';
      // Committed but not yet published when the subscriber subscribes: the backfill finds it, and its
      // publication may come before or after the backfill sends it.
      const early = testEvent(resource);
      const late = testEvent(resource);
      const records = [testRecord(early), testRecord(late)];
      const appended = await server.storage.events.append(records);
      const [earlySeq, lateSeq] = appended.seqs as [number, number];
      onLastSeq = () => server.bus.publish([{ seq: earlySeq, json: records[0]!.json }]);
      const socket = await subscribe({ resource: { id: [resource] } });
      await socket.waitUntil((m) => m.length === 2);
      server.bus.publish([{ seq: lateSeq, json: records[1]!.json }]);
      const marker = await settle(socket, resource);
      expect(ids(socket)).toEqual([early.id, late.id, marker]);
      socket.ws.close();
    });
  });

  describe('slow subscribers (DECISIONS 5)', () => {
    let slowLocation: Awaited<ReturnType<typeof createTestStorageLocation>>;
    let slow: WsTestServer;
    beforeAll(async () => {
      slowLocation = await createTestStorageLocation(backend);
      slow = await startWsTestServer({ storage: slowLocation.storage, websocket: { subscriberBacklog: 4 } });
    });
    afterAll(async () => {
      await slow.close();
      await slowLocation.remove();
    });

    /** Ingests about 24 MB of events while the client does not read, until some are dropped. */
    async function overwhelm(socket: TestSocket, resource: string): Promise<number> {
      socket.ws.pause();
      const before = await metricValue(slow.metrics, 'herald_stream_dropped_events_total');
      let total = 0;
      while ((await metricValue(slow.metrics, 'herald_stream_dropped_events_total')) === before) {
        expect(total).toBeLessThan(400);
        await slow.pipeline.ingestBatch(Array.from({ length: 10 }, () => testEvent(resource, { payload: { blob: 'x'.repeat(100_000) } })));
        total += 10;
      }
      return total;
    }

    it('tells a subscriber that opted in how many events it missed, once it has caught up', async () => {
      const resource = 'acme.slow';
      const dropsBefore = await metricValue(slow.metrics, 'herald_stream_dropped_events_total');
      const socket = await subscribe({ resource: { id: [resource] } }, { url: slow.baseUrl, query: '?notices=true' });
      const total = await overwhelm(socket, resource);
      socket.ws.resume();
      await socket.waitUntil((m) => m.some((x) => x.type === 'dropped'), 20_000);
      const dropped = socket.messages.filter((m) => m.type === 'dropped').reduce((sum, m) => sum + m.count!, 0);
      expect(dropped).toBeGreaterThan(0);
      expect(socket.messages.at(-1)?.type).toBe('dropped');
      expect(ids(socket).length + dropped).toBe(total);
      expect(await metricValue(slow.metrics, 'herald_stream_dropped_events_total')).toBe(dropsBefore + dropped);
      socket.ws.close();
    });

    it('closes a Prefect subscriber that fell behind with 1013, so that it reconnects and backfills', async () => {
      const socket = await subscribe({ resource: { id: ['acme.slow-prefect'] } }, { url: slow.baseUrl });
      await overwhelm(socket, 'acme.slow-prefect');
      socket.ws.resume();
      expect((await socket.closed).code).toBe(1013);
      expect(socket.messages.every((m) => m.type === 'event')).toBe(true);
    });
  });
});
