import type { Event } from '@herald/core';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_KEYS } from '../../storage/postgres/postgres-database.js';
import { sqliteDatabaseFile } from '../../storage/sqlite/index.js';
import { connect, connectPrefect, pingPong, type TestSocket, type WsMessage } from '../../test-support/ws-test-client.js';
import {
  createTestStorageLocation,
  metricValue,
  startWsTestServer,
  testEvent,
  type TestBackend,
  type WsTestServer,
} from '../../test-support/ws-test-server.js';
import { UNSOLICITED_ERROR_LIMIT } from './events-in-route.js';

type StorageLocation = Awaited<ReturnType<typeof createTestStorageLocation>>;
let location: StorageLocation;
let server: WsTestServer;
const inUrl = (query = '') => `${server.baseUrl}/api/events/in${query}`;

beforeAll(async () => {
  location = await createTestStorageLocation('sqlite');
  server = await startWsTestServer({ storage: location.storage });
});

afterAll(async () => {
  await server.close();
  await location.remove();
});

/** Starts a server of its own on a fresh store, for tests that break or stop it. */
async function withServer(
  options: { backend?: TestBackend; maxMessageBytes?: number },
  test: (other: WsTestServer, where: StorageLocation) => Promise<void>,
): Promise<void> {
  const where = await createTestStorageLocation(options.backend ?? 'sqlite');
  const other = await startWsTestServer({
    storage: where.storage,
    websocket: options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {},
  });
  try {
    await test(other, where);
  } finally {
    await other.close().catch(() => {});
    await where.remove();
  }
}

/**
 * Holds the store's write lock from outside the server until the returned function is called: a SQLite
 * write transaction on the same file, or the PostgreSQL advisory lock that serialises appends.
 */
async function blockWrites(backend: TestBackend, where: StorageLocation): Promise<() => Promise<void>> {
  if ('sqliteDir' in where.storage) {
    const db = new Database(sqliteDatabaseFile(where.storage.sqliteDir));
    db.exec('BEGIN IMMEDIATE');
    return async () => {
      db.exec('COMMIT');
      db.close();
    };
  }
  const client = new pg.Client({ connectionString: where.storage.postgresUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.eventsWrite.toString()]);
  return async () => {
    await client.query('COMMIT');
    await client.end();
  };
}

/** A reply in a form that compares easily: `ack:<id>:<result>` or `error:<event_id>:<pointer>:<type>`. */
function describeReply(message: WsMessage): string {
  if (message.type === 'ack') return `ack:${message.id}:${message.result}`;
  const issue = message.issues?.[0];
  return `${message.type}:${message.event_id}:${issue?.pointer}:${issue?.type}`;
}

/** Every earlier frame has been read once a pong comes back; replies to them are then due only on commit. */
async function stored(id: string): Promise<void> {
  await expect.poll(() => server.storage.events.get(id), { timeout: 5000 }).not.toBeNull();
}

describe('/api/events/in', () => {
  it('answers a bad frame with an error message, keeps the connection open, and stores later frames', async () => {
    const socket = await connectPrefect(inUrl(), null);
    const invalid = { ...testEvent('acme.bad'), resource: undefined };
    const tooLarge = testEvent('acme.big', { payload: { blob: 'x'.repeat(1_600_000) } });
    const good = testEvent('acme.good');
    const poisoned = testEvent('acme.poisoned');
    socket.send('{"occurred": oops');
    socket.send(Buffer.from(JSON.stringify(testEvent('acme.binary'))));
    // As on POST /api/events, prototype-poisoning keys are refused.
    socket.send(JSON.stringify(poisoned).replace('{', '{"__proto__": {"polluted": true}, '));
    socket.send(JSON.stringify(poisoned).replace('"payload":', '"payload": {"constructor": {"prototype": {"polluted": true}}}, "x":'));
    socket.send(invalid);
    socket.send(tooLarge);
    socket.send(good);
    await socket.waitUntil((m) => m.length === 6);
    await stored(good.id);

    expect(socket.messages.map((m) => [m.type, m.code, m.event_id, m.issues?.map((i) => [i.pointer, i.type])])).toEqual([
      ['error', 'EVENT_VALIDATION_FAILED', null, [['', 'json_invalid']]],
      ['error', 'EVENT_VALIDATION_FAILED', null, [['', 'binary_frame']]],
      ['error', 'EVENT_VALIDATION_FAILED', null, [['', 'json_invalid']]],
      ['error', 'EVENT_VALIDATION_FAILED', null, [['', 'json_invalid']]],
      ['error', 'EVENT_VALIDATION_FAILED', invalid.id, [['/resource', 'missing']]],
      ['error', 'EVENT_VALIDATION_FAILED', tooLarge.id, [['', 'event_too_large']]],
    ]);
    expect(socket.messages[2]!.issues![0]!.message).toContain('__proto__');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    expect(await server.storage.events.get(tooLarge.id)).toBeNull();
    expect(await server.storage.events.get(poisoned.id)).toBeNull();
    socket.ws.close();
  });

  it('with ?acks=true acknowledges every event after its commit, in frame order', async () => {
    const socket = await connectPrefect(inUrl('?acks=true'), null);
    const a = testEvent('acme.ack');
    const b = testEvent('acme.ack');
    const changedA = { ...a, payload: { changed: true } };
    const c = testEvent('acme.ack');
    const frames = [a, b, a, changedA, { not: 'an event' }, { ...c, id: c.id.toUpperCase() }];
    for (const frame of frames) socket.send(frame);
    const acked: string[] = [];
    for (let i = 0; i < frames.length; i++) {
      const message = await socket.next();
      if (message.type === 'ack') {
        // Acknowledged means durable: the event is readable the moment its ack arrives.
        expect(await server.storage.events.get(message.id!)).not.toBeNull();
        acked.push(`${message.id}:${message.result}`);
      } else {
        acked.push(`${message.type}:${message.event_id}`);
      }
    }
    expect(acked).toEqual([
      `${a.id}:inserted`,
      `${b.id}:inserted`,
      `${a.id}:duplicate`,
      `${a.id}:conflict`,
      'error:null',
      `${c.id}:inserted`,
    ]);
    socket.ws.close();
  });

  it('starts ingesting frames as they arrive, so that they share commits, and still acks them in order', async () => {
    const commitsBefore = await metricValue(server.metrics, 'herald_group_commit_events');
    const latencyBefore = await metricValue(server.metrics, 'herald_ingest_latency_seconds', { route: 'websocket' });
    const socket = await connectPrefect(inUrl('?acks=true'), null);
    const events = Array.from({ length: 300 }, () => testEvent('acme.burst'));
    for (const event of events) socket.send(event);
    await socket.waitUntil((m) => m.length === events.length);
    expect(socket.messages.map((m) => m.id)).toEqual(events.map((e) => e.id));
    const commits = (await metricValue(server.metrics, 'herald_group_commit_events')) - commitsBefore;
    expect(commits).toBeLessThan(events.length / 2);
    expect(await metricValue(server.metrics, 'herald_ingest_latency_seconds', { route: 'websocket' })).toBe(latencyBefore + events.length);
    socket.ws.close();
  });

  it('answers a burst mixing bad and good frames in frame order, with errors in place, while the good ones share commits', async () => {
    const commitsBefore = await metricValue(server.metrics, 'herald_group_commit_events');
    const latencyBefore = await metricValue(server.metrics, 'herald_ingest_latency_seconds', { route: 'websocket' });
    const socket = await connectPrefect(inUrl('?acks=true'), null);
    const frames: (string | Buffer | object)[] = [];
    const expected: string[] = [];
    let good = 0;
    for (let i = 0; i < 60; i++) {
      const event = testEvent('acme.mixed');
      frames.push(event, '{"oops', Buffer.from(JSON.stringify(event)), { ...event, id: 'nope' }, event);
      expected.push(
        `ack:${event.id}:inserted`,
        'error:null::json_invalid',
        'error:null::binary_frame',
        'error:nope:/id:uuid_parsing',
        `ack:${event.id}:duplicate`,
      );
      good += 2;
    }
    for (const frame of frames) socket.send(frame);
    await socket.waitUntil((m) => m.length === frames.length);

    expect(socket.messages.map(describeReply)).toEqual(expected);
    const commits = (await metricValue(server.metrics, 'herald_group_commit_events')) - commitsBefore;
    expect(commits).toBeLessThan(good / 4);
    expect(await metricValue(server.metrics, 'herald_ingest_latency_seconds', { route: 'websocket' })).toBe(latencyBefore + good);
    socket.ws.close();
  });

  it('answers any sequence of good and bad frames with one reply each, in frame order (property)', async () => {
    type Kind = 'good' | 'repeat' | 'json' | 'binary' | 'invalid';
    const socket = await connectPrefect(inUrl('?acks=true'), null);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Kind>('good', 'repeat', 'json', 'binary', 'invalid'), { minLength: 1, maxLength: 40 }),
        async (kinds) => {
          socket.clear();
          let last: Event | undefined;
          const expected: string[] = [];
          for (const kind of kinds) {
            const event = testEvent('acme.property');
            if (kind === 'good' || (kind === 'repeat' && !last)) {
              last = event;
              socket.send(event);
              expected.push(`ack:${event.id}:inserted`);
            } else if (kind === 'repeat') {
              socket.send(last);
              expected.push(`ack:${last!.id}:duplicate`);
            } else if (kind === 'json') {
              socket.send('[');
              expected.push('error:null::json_invalid');
            } else if (kind === 'binary') {
              socket.send(Buffer.from(JSON.stringify(event)));
              expected.push('error:null::binary_frame');
            } else {
              socket.send({ ...event, occurred: 'yesterday' });
              expected.push(`error:${event.id}:/occurred:datetime_parsing`);
            }
          }
          await socket.waitUntil((m) => m.length === kinds.length);
          expect(socket.messages.map(describeReply)).toEqual(expected);
        },
      ),
      { numRuns: 20 },
    );
    // Nothing beyond one reply per frame arrives later.
    await pingPong(socket.ws);
    socket.ws.close();
  });

  it(`without ?acks=true reports only the first ${UNSOLICITED_ERROR_LIMIT} bad frames of a mixed burst, in frame order, and stores the good ones`, async () => {
    const socket = await connectPrefect(inUrl(), null);
    const bad: string[] = [];
    const good: string[] = [];
    for (let i = 0; i < UNSOLICITED_ERROR_LIMIT + 4; i++) {
      const event = testEvent('acme.capped');
      const invalid = { ...testEvent('acme.capped'), resource: undefined };
      socket.send(invalid);
      socket.send(event);
      bad.push(invalid.id);
      good.push(event.id);
    }
    for (const id of good) await stored(id);
    await pingPong(socket.ws);
    expect(socket.messages.map((m) => `${m.type}:${m.event_id}`)).toEqual(bad.slice(0, UNSOLICITED_ERROR_LIMIT).map((id) => `error:${id}`));
    socket.ws.close();
  });

  it(`without ?acks=true sends at most ${UNSOLICITED_ERROR_LIMIT} error messages per connection and no acks`, async () => {
    const socket = await connectPrefect(inUrl(), null);
    for (let i = 0; i < UNSOLICITED_ERROR_LIMIT + 5; i++) socket.send('not json');
    const good = testEvent('acme.after-errors');
    socket.send(good);
    await stored(good.id);
    await pingPong(socket.ws);
    expect(socket.messages.length).toBe(UNSOLICITED_ERROR_LIMIT);
    expect(socket.messages.every((m) => m.type === 'error')).toBe(true);
    socket.ws.close();
  });

  it('with ?acks=true reports every bad frame', async () => {
    const socket = await connectPrefect(inUrl('?acks=true'), null);
    for (let i = 0; i < UNSOLICITED_ERROR_LIMIT + 5; i++) socket.send('not json');
    await socket.waitUntil((m) => m.length === UNSOLICITED_ERROR_LIMIT + 5);
    socket.ws.close();
  });

  it.each<TestBackend>(['sqlite', 'postgres'])(
    'answers pings at once while %s storage is blocked, and acks only after the commit',
    async (backend) => {
      await withServer({ backend }, async (other, where) => {
        const release = await blockWrites(backend, where);
        let socket: TestSocket | undefined;
        try {
          socket = await connectPrefect(`${other.baseUrl}/api/events/in?acks=true`, null);
          const event = testEvent('acme.blocked');
          socket.send(event);
          for (let i = 0; i < 3; i++) expect(await pingPong(socket.ws)).toBeLessThan(500);
          expect(socket.messages).toEqual([]);
          expect(await other.storage.events.get(event.id)).toBeNull();
          await release();
          expect(await socket.next()).toEqual({ type: 'ack', id: event.id, result: 'inserted' });
          expect(await other.storage.events.get(event.id)).not.toBeNull();
        } finally {
          socket?.ws.close();
        }
      });
    },
  );

  it('closes every socket with 1012 on shutdown, so that clients reconnect', async () => {
    await withServer({}, async (other) => {
      const inSocket = await connectPrefect(`${other.baseUrl}/api/events/in`, null);
      const outSocket = await connectPrefect(`${other.baseUrl}/api/events/out`, null);
      outSocket.send({ type: 'filter', filter: {} });
      const closing = other.close();
      expect((await inSocket.closed).code).toBe(1012);
      expect((await outSocket.closed).code).toBe(1012);
      await closing;
    });
  });

  it('closes with 1009 on a message larger than maxMessageBytes', async () => {
    await withServer({ maxMessageBytes: 64 * 1024 }, async (other) => {
      const socket = await connect(`${other.baseUrl}/api/events/in`);
      socket.send(testEvent('acme.huge', { payload: { blob: 'x'.repeat(100 * 1024) } }));
      expect((await socket.closed).code).toBe(1009);
    });
  });

  it('closes with 1012 once ingestion shuts down, so that clients resend elsewhere or later', async () => {
    await withServer({}, async (other) => {
      const socket = await connectPrefect(`${other.baseUrl}/api/events/in`, null);
      await other.pipeline.close();
      socket.send(testEvent('acme.shutdown'));
      expect((await socket.closed).code).toBe(1012);
    });
  });

  it('closes with 1011 when storage fails, so that clients resend', async () => {
    // A PostgreSQL pool that has ended fails every append (a closed SQLite store reports a shutdown instead).
    await withServer({ backend: 'postgres' }, async (other) => {
      const socket = await connectPrefect(`${other.baseUrl}/api/events/in`, null);
      await other.storage.close();
      socket.send(testEvent('acme.storage-down'));
      expect((await socket.closed).code).toBe(1011);
    });
  });
});
