import { newEventId } from '@herald/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createTempDir, createTempPostgresDatabase, type TempPostgres } from '../packages/server/src/test-support/temp-resources.js';
import { startServerProcess } from './support/server-process.js';

function batch(size: number) {
  return Array.from({ length: size }, (_, i) => ({
    id: newEventId(),
    occurred: new Date().toISOString(),
    event: 'test.crash.event',
    resource: { 'prefect.resource.id': `test.crash.resource.${i % 7}` },
    related: [{ 'prefect.resource.id': 'test.crash.flow', 'prefect.resource.role': 'flow' }],
    payload: { i },
  }));
}

async function post(url: string, events: unknown[]): Promise<number> {
  try {
    const res = await fetch(`${url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // connection refused or reset: the server died under us
  }
}

async function countIds(url: string, ids: string[]): Promise<number> {
  let found = 0;
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const res = await fetch(`${url}/api/events/filter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { id: { id: chunk }, occurred: { since: '2000-01-01T00:00:00Z' } }, limit: 200 }),
    });
    found += ((await res.json()) as { total: number }).total;
  }
  return found;
}

/**
 * kill -9 during sustained ingest, restart, resend everything: every acknowledged event is there, and
 * nothing is stored twice.
 */
async function crashAndRecover(env: Record<string, string>) {
  const first = await startServerProcess(env);
  const sent: { events: { id: string }[]; status: number }[] = [];
  let stop = false;
  const senders = Array.from({ length: 4 }, async () => {
    while (!stop) {
      const events = batch(50);
      const entry = { events, status: -1 };
      sent.push(entry);
      entry.status = await post(first.url, events);
      if (entry.status === 0) return;
    }
  });
  // Let ingest run until a good number of batches are acknowledged, then kill without warning.
  while (sent.filter((s) => s.status === 204).length < 40) await new Promise((r) => setTimeout(r, 20));
  first.child.kill('SIGKILL');
  stop = true;
  await Promise.all(senders);
  await first.exited;

  const acked = sent.filter((s) => s.status === 204).flatMap((s) => s.events.map((e) => e.id));
  expect(acked.length).toBeGreaterThanOrEqual(2000);
  const second = await startServerProcess(env);
  try {
    expect(await countIds(second.url, acked)).toBe(acked.length);
    // The client resends everything it sent, acknowledged or not.
    for (const s of sent) expect(await post(second.url, s.events)).toBe(204);
    const all = sent.flatMap((s) => s.events.map((e) => e.id));
    expect(await countIds(second.url, all)).toBe(all.length);
    const res = await fetch(`${second.url}/api/events/count-by/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // count-by checks the bucket count (≤ 1000 days) for every countable, so keep the window short.
      body: JSON.stringify({ filter: { event: { name: ['test.crash.event'] }, occurred: { since: new Date(Date.now() - 86_400_000).toISOString() } } }),
    });
    const rows = (await res.json()) as { count: number }[];
    expect(rows[0]?.count).toBe(all.length);
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }
}

describe('crash recovery (kill -9 during ingest)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('keeps every acknowledged event on SQLite, and a resend stores nothing twice', async () => {
    const dir = createTempDir();
    cleanups.push(() => dir.remove());
    await crashAndRecover({ HERALD_DATA_DIR: dir.path });
  });

  it('keeps every acknowledged event on PostgreSQL, and a resend stores nothing twice', async () => {
    const db: TempPostgres = await createTempPostgresDatabase();
    cleanups.push(() => db.drop());
    const dir = createTempDir();
    cleanups.push(() => dir.remove());
    await crashAndRecover({ HERALD_DATA_DIR: dir.path, HERALD_DATABASE_URL: db.url });
  });
});
