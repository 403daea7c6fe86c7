import { newEventId } from '@herald/core';
import { startHerald, type Herald } from '@herald/server';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../packages/server/src/test-support/temp-resources.js';

/** Each test pins one line of DECISIONS.md: where Herald deliberately differs from Prefect. */
const event = (overrides: Record<string, unknown> = {}) => ({
  id: newEventId(),
  occurred: new Date().toISOString(),
  event: 'decisions.test',
  resource: { 'prefect.resource.id': 'decisions.resource' },
  ...overrides,
});

const silent = pino({ level: 'silent' });
let herald: Herald | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await herald?.close();
  dir?.remove();
  herald = undefined;
  dir = undefined;
});

async function start(env: Record<string, string> = {}) {
  dir ??= createTempDir();
  herald = await startHerald({ port: 0, dataDir: dir.path, logger: silent, env });
  return herald.url;
}

const post = (url: string, path: string, body: unknown) =>
  fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const metric = async (url: string, name: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
};

describe('DECISIONS.md', () => {
  it('1. answers 204 only after commit: the event is queryable the moment the response arrives', async () => {
    const url = await start();
    for (let i = 0; i < 20; i++) {
      const e = event();
      expect((await post(url, '/api/events', [e])).status).toBe(204);
      expect((await fetch(`${url}/api/events/${e.id}`)).status).toBe(200);
    }
  });

  it('2. refuses an oversized event with a 422 that names it, and stores nothing of the batch', async () => {
    const url = await start({ HERALD_MAX_EVENT_BYTES: '2000' });
    const small = event();
    const big = event({ payload: { blob: 'x'.repeat(3000) } });
    const res = await post(url, '/api/events', [small, big]);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { exception_detail: { type: string; pointer: string; event_id: string }[] };
    expect(body.exception_detail).toEqual([expect.objectContaining({ type: 'event_too_large', pointer: '/1', event_id: big.id })]);
    expect((await fetch(`${url}/api/events/${small.id}`)).status).toBe(404);
  });

  it('6. accepts a page size up to 200 and refuses 201 with a 422', async () => {
    const url = await start();
    expect((await post(url, '/api/events/filter', { limit: 200 })).status).toBe(200);
    expect((await post(url, '/api/events/filter', { limit: 201 })).status).toBe(422);
  });

  it('9. does not re-validate stored events on read, so lowering a limit never breaks queries', async () => {
    const url = await start();
    const long = event({ event: 'a.long.event.name.' + 'x'.repeat(100) });
    expect((await post(url, '/api/events', [long])).status).toBe(204);
    await herald!.close();
    const lowered = await start({ HERALD_MAX_EVENT_NAME_LENGTH: '20' });
    const res = await post(lowered, '/api/events/filter', { filter: { id: { id: [long.id] } } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { events: { event: string }[] }).events.map((e) => e.event)).toEqual([long.event]);
    expect((await post(lowered, '/api/events', [event({ event: long.event })])).status).toBe(422);
  });

  it('10. acknowledges a resend with the same id; keeps the first write; counts a conflicting resend', async () => {
    const url = await start();
    const first = event({ payload: { v: 1 } });
    expect((await post(url, '/api/events', [first])).status).toBe(204);
    expect((await post(url, '/api/events', [first])).status).toBe(204);
    expect(await metric(url, 'herald_events_id_conflicts_total')).toBe(0);
    expect(await metric(url, 'herald_events_duplicates_total')).toBe(1);
    expect((await post(url, '/api/events', [{ ...first, payload: { v: 2 } }])).status).toBe(204);
    expect(await metric(url, 'herald_events_id_conflicts_total')).toBe(1);
    const stored = (await (await fetch(`${url}/api/events/${first.id}`)).json()) as { payload: unknown };
    expect(stored.payload).toEqual({ v: 1 });
  });
});
