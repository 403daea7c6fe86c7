import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, connectPrefect, UpgradeRefused } from '../../test-support/ws-test-client.js';
import {
  createTestStorageLocation,
  metricValue,
  startWsTestServer,
  testEvent,
  type WsTestServer,
} from '../../test-support/ws-test-server.js';
import { HANDSHAKE_CLOSE_REASONS } from './prefect-handshake.js';

let location: Awaited<ReturnType<typeof createTestStorageLocation>>;
let server: WsTestServer;
let inUrl: string;
let outUrl: string;

beforeAll(async () => {
  location = await createTestStorageLocation('sqlite');
  server = await startWsTestServer({ storage: location.storage });
  inUrl = `${server.baseUrl}/api/events/in`;
  outUrl = `${server.baseUrl}/api/events/out`;
});

afterAll(async () => {
  await server.close();
  await location.remove();
});

describe.each(['in', 'out'])('handshake on /api/events/%s', (route) => {
  const url = () => (route === 'in' ? inUrl : outUrl);

  describe('while no API key exists', () => {
    it('selects the prefect subprotocol and answers auth_success to any token, null included', async () => {
      for (const token of [null, 'anything']) {
        const socket = await connect(url(), { protocols: ['prefect'] });
        expect(socket.ws.protocol).toBe('prefect');
        socket.send({ type: 'auth', token });
        expect(await socket.next()).toEqual({ type: 'auth_success' });
        socket.ws.close();
      }
    });

    it('finds prefect among several offered subprotocols', async () => {
      const socket = await connect(url(), { protocols: ['other', 'prefect'] });
      expect(socket.ws.protocol).toBe('prefect');
      socket.ws.close();
    });

    it('closes with 1008 when the first message is not an auth message', async () => {
      const cases: unknown[] = [{ type: 'filter', filter: {} }, '{not json', '[1,2]', '42', { token: 'x' }, Buffer.from('{"type":"auth"}')];
      for (const first of cases) {
        const socket = await connect(url(), { protocols: ['prefect'] });
        socket.send(first);
        expect(await socket.closed).toEqual({ code: 1008, reason: HANDSHAKE_CLOSE_REASONS.expectedAuth });
      }
    });

    it('runs legacy mode without the subprotocol: no auth message is expected', async () => {
      const socket = await connect(url());
      expect(socket.ws.protocol).toBe('');
      if (route === 'in') {
        const event = testEvent('acme.legacy');
        socket.send(event);
        await expect.poll(() => server.storage.events.get(event.id)).not.toBeNull();
        expect(socket.messages).toEqual([]);
      } else {
        const event = testEvent('acme.legacy-out');
        await server.pipeline.ingestOne(event);
        socket.send({ type: 'filter', filter: { resource: { id: ['acme.legacy-out'] } } });
        expect((await socket.next()).event?.id).toBe(event.id);
      }
      socket.ws.close();
    });

    it('counts open connections by route', async () => {
      const open = () => metricValue(server.metrics, 'herald_websocket_connections', { route });
      // Earlier tests' sockets are closed by their clients; wait until the server has seen every close.
      await expect.poll(open).toBe(0);
      const socket = await connectPrefect(url(), null);
      expect(await open()).toBe(1);
      socket.ws.close();
      await socket.closed;
      await expect.poll(open).toBe(0);
    });
  });
});

describe('handshake once an API key exists', () => {
  let key: string;
  beforeAll(async () => {
    key = await server.createKey();
  });

  it.each(['in', 'out'])('accepts the key as the token on /api/events/%s', async (route) => {
    const socket = await connectPrefect(`${server.baseUrl}/api/events/${route}`, key);
    socket.ws.close();
  });

  it.each(['in', 'out'])('closes with 1008 when the token is missing, null or empty on /api/events/%s', async (route) => {
    for (const auth of [{ type: 'auth' }, { type: 'auth', token: null }, { type: 'auth', token: '' }]) {
      const socket = await connect(`${server.baseUrl}/api/events/${route}`, { protocols: ['prefect'] });
      socket.send(auth);
      expect(await socket.closed).toEqual({ code: 1008, reason: HANDSHAKE_CLOSE_REASONS.noToken });
    }
  });

  it.each(['in', 'out'])('closes with 1008 when the token is wrong on /api/events/%s', async (route) => {
    const socket = await connect(`${server.baseUrl}/api/events/${route}`, { protocols: ['prefect'] });
    socket.send({ type: 'auth', token: key + 'x' });
    expect(await socket.closed).toEqual({ code: 1008, reason: HANDSHAKE_CLOSE_REASONS.invalidToken });
    expect(socket.messages).toEqual([]);
  });

  it.each(['in', 'out'])('refuses legacy mode with HTTP 403 before the upgrade on /api/events/%s', async (route) => {
    const refusal = await connect(`${server.baseUrl}/api/events/${route}`, { headers: { authorization: `Bearer ${key}` } }).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(UpgradeRefused);
    expect((refusal as UpgradeRefused).status).toBe(403);
  });

  it('keeps frames sent right behind the auth message, while the key is being checked', async () => {
    const socket = await connect(inUrl, { protocols: ['prefect'] });
    // More than the reader buffers before it pauses the socket.
    const events = Array.from({ length: 150 }, () => testEvent('acme.eager'));
    socket.send({ type: 'auth', token: key });
    for (const event of events) socket.send(event);
    expect(await socket.next()).toEqual({ type: 'auth_success' });
    await expect
      .poll(async () => (await Promise.all(events.map((e) => server.storage.events.get(e.id)))).every((e) => e !== null))
      .toBe(true);
    socket.ws.close();
  });
});
