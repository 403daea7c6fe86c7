import { formatDateTime, MICROS, parseDateTime, type Event } from '@herald/core';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../ingestion/event-normalizer.js';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import type { EventRecord } from '../ports.js';
import { encodeAppendRows } from './encode-append-rows.js';
import { openSqliteStorage, sqliteDatabaseFile } from './open-sqlite-storage.js';
import { SqliteWriter, writerWorkerData } from './sqlite-writer.js';
import { WRITER_WORKER_SOURCE } from './sqlite-writer-source.js';

const BATCH = 400;
const T0 = parseDateTime('2026-03-02T00:00:00Z')!;

/**
 * A child process that runs the real writer worker and appends batch after batch, printing the number
 * of each batch the worker has committed. Batch k reuses one encoded template with ids `k:i`.
 */
const CHILD = `
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const worker = new Worker(config.source, { eval: true, workerData: config.workerData });
let batch = 0;
function next() {
  batch++;
  const rows = config.template.slice();
  for (let i = 0, k = 0; k < config.count; k++) {
    rows[i] = batch.toString(16).padStart(16, '0') + k.toString(16).padStart(16, '0');
    i += 8 + rows[i + 6] * 3;
  }
  worker.postMessage({ id: batch, op: 'append', rows, count: config.count });
}
worker.on('message', (m) => {
  if (m.analyzed) return;
  if (m.ok) process.stdout.write('committed ' + m.id + '\\n');
  else if (!m.ready) process.exit(2);
  next();
});
`;

/** `count` events of about 600 bytes; `batch` keeps the ids of different batches apart. */
function batchRecords(batch: number, count: number): EventRecord[] {
  return Array.from({ length: count }, (_, k) => {
    const event: Event = {
      occurred: formatDateTime(T0 + k * MICROS.second),
      event: 'acme.crash.test',
      resource: { 'prefect.resource.id': `acme.run.${k}`, 'prefect.resource.name': `run ${k}` },
      related: [{ 'prefect.resource.id': 'acme.flow', 'prefect.resource.role': 'flow' }],
      payload: { text: 'x'.repeat(400) },
      id: `00000000-0000-4000-${(0x8000 + batch).toString(16)}-${k.toString(16).padStart(12, '0')}`,
      follows: null,
    };
    const r = normalizeEvent(event, T0, { maxEventBytes: 1_500_000, path: [] });
    if (!r.ok) throw new Error('bad fixture');
    return r.record;
  });
}

/** The events in a database file, read on a connection of its own. */
function storedEventCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** A new database file in `dataDir`, migrated. */
async function migratedDatabase(dataDir: string): Promise<string> {
  const storage = await openSqliteStorage({ dataDir });
  await storage.close();
  return sqliteDatabaseFile(dataDir);
}

/**
 * The writer worker alone, resetting the WAL past 100 frames: no checkpointer copies the WAL, so only
 * the writer's own reset can restart it, and `reported` stands for the checkpointer's report of its
 * length. `append(batch)` appends batch `batch` of `count` events.
 */
async function startWriterAlone(file: string, count: number) {
  const frames = new SharedArrayBuffer(4);
  const reported = new Int32Array(frames);
  const worker = new Worker(WRITER_WORKER_SOURCE, { eval: true, workerData: writerWorkerData({ file }, { frames, restartFrames: 100 }) });
  const replies = new Map<number, (reply: { ok: boolean }) => void>();
  worker.on('message', (m: { id?: number; ok: boolean }) => (m.id === undefined ? undefined : replies.get(m.id)?.(m)));
  await new Promise((resolve) => worker.once('message', resolve));
  const append = (batch: number) =>
    new Promise<{ ok: boolean }>((resolve) => {
      const records = batchRecords(batch, count);
      replies.set(batch, resolve);
      worker.postMessage({ id: batch, op: 'append', rows: encodeAppendRows(records), count: records.length });
    });
  return { worker, reported, append };
}

describe('SqliteWriter', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = createTempDir('herald-sqlite-crash-');
  });
  afterEach(() => dir.remove());

  it('fails to start with STORAGE_UNAVAILABLE when the database cannot be opened', async () => {
    await expect(SqliteWriter.start({ file: dir.path })).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });

  it('leaves checkpoints to its checkpointer: the WAL is copied while idle and restarts, so it stays bounded', async () => {
    const file = await migratedDatabase(dir.path);
    const writer = await SqliteWriter.start({ file, checkpointIntervalMs: 10 });
    const walBytes: number[] = [];
    try {
      for (let batch = 1; batch <= 8; batch++) {
        const records = batchRecords(batch, 300);
        await writer.append(encodeAppendRows(records), records.length);
        await new Promise((resolve) => setTimeout(resolve, 80));
        walBytes.push(statSync(`${file}-wal`).size);
      }
    } finally {
      await writer.close();
    }
    // Without checkpoints each batch would add its pages to the end of the WAL: 8 batches, about 8 times
    // the first. Restarted, the WAL is as long as its longest commit (the one that fills the resource index).
    expect(walBytes[0]).toBeGreaterThan(100_000);
    expect(walBytes.at(-1)).toBeLessThan(3 * walBytes[0]!);
    expect(storedEventCount(file)).toBe(8 * 300);
  });

  it('resets the WAL itself, between two transactions, once the checkpointer reports it past its bound', async () => {
    const file = await migratedDatabase(dir.path);
    const { worker, reported, append } = await startWriterAlone(file, 300);
    // The WAL's length in frames, from the wal-index header (`mxFrame`, offset 16): reading it checkpoints nothing.
    const walFrames = () => readFileSync(`${file}-shm`).readUInt32LE(16);
    const lengths: number[] = [];
    try {
      for (let batch = 1; batch <= 6; batch++) {
        // What the checkpointer would report past the bound. The writer checks after each append, so it
        // resets the WAL after append 3 or 4, whichever check comes first.
        if (batch === 4) Atomics.store(reported, 0, 1000);
        expect(await append(batch)).toMatchObject({ ok: true });
        lengths.push(walFrames());
      }
      expect(Atomics.load(reported, 0)).toBe(0);
    } finally {
      await worker.terminate();
    }
    // Without a reset the WAL only grows; reset once, it starts again from its first frame once.
    expect(lengths.filter((n, i) => i > 0 && n < lengths[i - 1]!)).toHaveLength(1);
    expect(storedEventCount(file)).toBe(6 * 300);
  });

  it('does not hold appends up for a reader of an old snapshot: the reset waits for a later append', async () => {
    const file = await migratedDatabase(dir.path);
    const { worker, reported, append } = await startWriterAlone(file, 50);
    // A reset that waited for the reader would hold each append for the writer's busy_timeout (5 s);
    // this bound only tells that wait from none.
    const withinTwoSeconds = (batch: number) =>
      Promise.race([append(batch), new Promise((resolve) => setTimeout(() => resolve('held up'), 2000))]);
    const reader = new Database(file, { readonly: true });
    try {
      expect(await append(1)).toMatchObject({ ok: true });
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM events').get(); // the reader now holds its snapshot
      Atomics.store(reported, 0, 1000);
      for (let batch = 2; batch <= 4; batch++) expect(await withinTwoSeconds(batch)).toMatchObject({ ok: true });
      expect(Atomics.load(reported, 0)).toBe(1000); // refused while the reader needs the frames
      reader.exec('COMMIT');
      // The writer answers an append, then tries the reset: the one after append 5 is seen after append 6.
      expect(await append(5)).toMatchObject({ ok: true });
      expect(await append(6)).toMatchObject({ ok: true });
      expect(Atomics.load(reported, 0)).toBe(0);
    } finally {
      reader.close();
      await worker.terminate();
    }
    expect(storedEventCount(file)).toBe(6 * 50);
  });

  it('never loses a committed batch, nor keeps part of one, when the process is killed (kill -9)', async () => {
    const storage = await openSqliteStorage({ dataDir: dir.path });
    await storage.close();
    const records = batchRecords(0, BATCH);
    const config = join(dir.path, 'child.json');
    const script = join(dir.path, 'child.mjs');
    writeFileSync(script, CHILD);
    writeFileSync(
      config,
      JSON.stringify({
        source: WRITER_WORKER_SOURCE,
        workerData: writerWorkerData({ file: sqliteDatabaseFile(dir.path) }),
        template: encodeAppendRows(records),
        count: BATCH,
      }),
    );

    const child = spawn(process.execPath, [script, config], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let committed = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      committed = Number(line.split(' ')[1]);
      if (committed >= 8) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    const reopened = await openSqliteStorage({ dataDir: dir.path });
    await reopened.close();
    const db = new Database(sqliteDatabaseFile(dir.path), { readonly: true });
    try {
      const perBatch = db.prepare('SELECT substr(hex(id), 1, 16) AS batch, count(*) AS n FROM events GROUP BY batch ORDER BY batch').all() as {
        batch: string;
        n: number;
      }[];
      expect(perBatch.length).toBeGreaterThanOrEqual(committed);
      expect(perBatch.map((b) => parseInt(b.batch, 16))).toEqual(perBatch.map((_, i) => i + 1));
      expect(perBatch.every((b) => b.n === BATCH)).toBe(true);
      const rows = db.prepare('SELECT count(*) FROM event_resource_rows').pluck().get();
      expect(rows).toBe(perBatch.length * BATCH * 2);
      expect(db.prepare('SELECT last_seq FROM log_position').pluck().get()).toBe(perBatch.length * BATCH);
    } finally {
      db.close();
    }
  });
});
