import { HeraldError, newEventId, toMicros, type Event } from '@herald/core';
import { pino } from 'pino';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHerald, type Herald } from './app.js';
import { createApiKey } from './auth/api-keys.js';
import { openStorage } from './storage/open-storage.js';
import { startRetention } from './storage/retention.js';
import { createTempDir, type TempDir } from './test-support/temp-resources.js';
import { connect } from './test-support/ws-test-client.js';
import { loadConfig } from './config/config.js';
import { normalizeEvent } from './ingestion/event-normalizer.js';

const silent = pino({ level: 'silent' });
const dirs: TempDir[] = [];
const servers: Herald[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) d.remove();
});
const tempDir = () => {
  const d = createTempDir();
  dirs.push(d);
  return d.path;
};

const event = (occurred = new Date().toISOString()): Event => ({
  id: newEventId(),
  occurred,
  event: 'app.test',
  resource: { 'prefect.resource.id': 'app.resource' },
  related: [],
  payload: {},
  follows: null,
});

describe('startHerald', () => {
  it('refuses to listen on a non-loopback address while no API key exists, and says how to fix it', async () => {
    const dataDir = tempDir();
    const attempt = startHerald({ host: '0.0.0.0', port: 0, dataDir, logger: silent, env: {} });
    await expect(attempt).rejects.toBeInstanceOf(HeraldError);
    await expect(attempt).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('herald keys create') });
  });

  it('closes without waiting for a websocket client that never answers the close frame, and tells it why', async () => {
    const herald = await startHerald({ port: 0, dataDir: tempDir(), logger: silent, env: {} });
    const client = new WebSocket(`${herald.url.replace('http', 'ws')}/api/events/out`, 'prefect');
    await new Promise((resolve) => client.once('open', resolve));
    client.send(JSON.stringify({ type: 'auth', token: null }));
    client.send(JSON.stringify({ type: 'filter', filter: {} }));
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    // A client that stops reading: ws alone would wait 30 s for its close frame (the 10 s bound ends that).
    await expect.poll(() => client.bufferedAmount).toBe(0);
    (client as unknown as { _socket: Socket })._socket.pause();
    await herald.close();
    (client as unknown as { _socket: Socket })._socket.resume();
    expect(await closed).toBe(1012);
  }, 10_000);

  it('says what to do when its port is taken', async () => {
    const first = await startHerald({ port: 0, dataDir: tempDir(), logger: silent, env: {} });
    servers.push(first);
    const port = Number(new URL(first.url).port);
    const attempt = startHerald({ port, dataDir: tempDir(), logger: silent, env: {} });
    await expect(attempt).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `Herald cannot listen: 127.0.0.1:${port} is already in use (another Herald, or another server); choose another port with --port or HERALD_PORT.`,
    });
  });

  it('listens on a non-loopback address once a key exists, and then requires it', async () => {
    const dataDir = tempDir();
    const storage = await openStorage(loadConfig({ dataDir }, {}).storage, silent);
    const { key } = await createApiKey(storage.keys, { name: 'test' });
    await storage.close();
    const herald = await startHerald({ host: '0.0.0.0', port: 0, dataDir, logger: silent, env: {} });
    servers.push(herald);
    const port = new URL(herald.url).port;
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/api/events/filter`, { method: 'POST' })).status).toBe(401);
    const ok = await fetch(`${url}/api/events/filter`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(ok.status).toBe(200);
  });

  it('on close, answers every accepted request and keeps every acknowledged event', async () => {
    const dataDir = tempDir();
    const herald = await startHerald({ port: 0, dataDir, logger: silent, env: {} });
    const batches = Array.from({ length: 40 }, () => Array.from({ length: 50 }, () => event()));
    const responses = batches.map((b) =>
      fetch(`${herald.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })
        .then((r) => r.status)
        .catch(() => 0),
    );
    // Close while the other requests are still in flight.
    await Promise.race(responses);
    await herald.close();
    const statuses = await Promise.all(responses);
    const acked = batches.filter((_, i) => statuses[i] === 204).flatMap((b) => b.map((e) => e.id));
    expect(acked.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 204 || s === 503 || s === 0)).toBe(true);

    const again = await startHerald({ port: 0, dataDir, logger: silent, env: {} });
    servers.push(again);
    for (const id of acked) expect((await fetch(`${again.url}/api/events/${id}`)).status).toBe(200);
  });
});

describe('a search over every stored event', () => {
  it('runs beside ingest: an event posted meanwhile is acknowledged before the search answers', async () => {
    const errors: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
    const herald = await startHerald({ port: 0, dataDir: tempDir(), logger, env: {} });
    servers.push(herald);
    const filler = 'x'.repeat(4000);
    for (let batch = 0; batch < 6; batch++) {
      const events = Array.from({ length: 5000 }, () => ({ ...event(), payload: { filler } }));
      const posted = await fetch(`${herald.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      expect(posted.status).toBe(204);
    }
    const order: string[] = [];
    // A word no event holds: the search reads the JSON of all 30,000 events (120 MB).
    const search = fetch(`${herald.url}/api/events/filter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { text: { query: 'nowhere' } } }),
    }).then(async (res) => {
      order.push('search');
      return (await res.json()) as { total: number };
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const posted = await fetch(`${herald.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([event()]),
    });
    order.push(`post ${posted.status}`);
    expect((await search).total).toBe(0);
    expect(order).toEqual(['post 204', 'search']);
    // The search ran on the read thread: it started, and nothing fell back to the main thread.
    expect(errors).toEqual([]);
  });

  it('answers 422 QUERY_TIMEOUT, saying what to do, when it runs past HERALD_QUERY_TIMEOUT; a backfill so slow closes its socket saying so', async () => {
    const herald = await startHerald({ port: 0, dataDir: tempDir(), logger: silent, env: { HERALD_QUERY_TIMEOUT: '1ms' } });
    servers.push(herald);
    const events = Array.from({ length: 10_000 }, () => ({ ...event(), payload: { filler: 'x'.repeat(4000) } }));
    const posted = await fetch(`${herald.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(posted.status).toBe(204);
    // A word no event holds: the search reads 40 MB of JSON, which no machine does in 1 ms.
    const search = await fetch(`${herald.url}/api/events/filter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { text: { query: 'nowhere' } } }),
    });
    expect(search.status).toBe(422);
    const body = (await search.json()) as { code: string; message: string; details: unknown };
    expect(body).toMatchObject({ code: 'QUERY_TIMEOUT', details: { limit_ms: 1 } });
    expect(body.message).toContain('HERALD_QUERY_TIMEOUT');
    expect(body.message).toContain('narrow its filter');

    const socket = await connect(`${herald.url.replace('http', 'ws')}/api/events/out`, { protocols: ['prefect'] });
    socket.send({ type: 'auth', token: null });
    expect(await socket.next()).toEqual({ type: 'auth_success' });
    socket.send({ type: 'filter', filter: { text: { query: 'nowhere' } } });
    expect(await socket.closed).toEqual({ code: 1011, reason: 'The backfill ran past the query time limit; narrow the filter' });
  });
});

describe('startRetention', () => {
  it('removes events older than the retention period and keeps the rest', async () => {
    const dataDir = tempDir();
    const storage = await openStorage(loadConfig({ dataDir }, {}).storage, silent);
    try {
      const now = toMicros(Date.now());
      const old = normalizeEvent(event(new Date(Date.now() - 10 * 86_400_000).toISOString()), now, { maxEventBytes: 1e6, path: [] });
      const fresh = normalizeEvent(event(), now, { maxEventBytes: 1e6, path: [] });
      if (!old.ok || !fresh.ok) throw new Error('fixture events must be valid');
      await storage.events.append([old.record, fresh.record]);
      const retention = startRetention({
        store: storage.events,
        retentionMicros: 7 * 86_400_000_000,
        intervalMs: 3_600_000,
        logger: silent,
        now: () => now,
      });
      expect(await retention.runOnce()).toBe(1);
      retention.stop();
      expect(await storage.events.get(old.record.event.id)).toBeNull();
      expect(await storage.events.get(fresh.record.event.id)).not.toBeNull();
    } finally {
      await storage.close();
    }
  });
});
