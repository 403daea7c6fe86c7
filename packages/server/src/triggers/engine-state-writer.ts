import { HeraldError } from '@herald/core';
import type { Worker } from 'node:worker_threads';
import { BETTER_SQLITE3_PATH, startSqliteWorker } from '../storage/sqlite/start-sqlite-worker.js';
import type { EngineCommit } from './engine-state-store.js';

/*
 * The writer of `automation-state.db`, on a worker thread of its own. With `synchronous = FULL`, each
 * commit waits for an fsync (about 5 ms measured here); on the main thread that would stall every
 * request and webhook call for as long. The worker also groups what is queued while it writes into one
 * transaction (one fsync for an engine commit and many job completions); if that transaction fails,
 * each request is retried alone so that one bad request fails only itself.
 *
 * Plain JavaScript source for `new Worker(source, { eval: true })`, for the reasons given in
 * `storage/sqlite/sqlite-writer-source.ts`. Protocol: `{ id, op: 'commit', batch }`, `{ id, op:
 * 'complete', ids }`, `{ id, op: 'reschedule', jobId, attempts, due, lastError }`, `{ id, op: 'close' }`;
 * replies `{ id, ok: true }` or `{ id, ok: false, error: { message, code } }`; `{ ready: true }` once open.
 */
const SOURCE = String.raw`
'use strict';
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
for (const pragma of workerData.pragmas) db.pragma(pragma);

const upsertState = db.prepare('INSERT INTO trigger_engine_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
const deleteState = db.prepare('DELETE FROM trigger_engine_state WHERE key = ?');
const setCheckpoint = db.prepare('UPDATE trigger_checkpoint SET seq = max(seq, ?) WHERE id = 1');
const insertJob = db.prepare('INSERT INTO trigger_jobs (id, kind, automation_id, depends_on, due, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
const upsertTrace = db.prepare('INSERT INTO trigger_traces (automation_id, body) VALUES (?, ?) ON CONFLICT (automation_id) DO UPDATE SET body = excluded.body');
const deleteTrace = db.prepare('DELETE FROM trigger_traces WHERE automation_id = ?');
const deleteJob = db.prepare('DELETE FROM trigger_jobs WHERE id = ?');
const rescheduleJob = db.prepare('UPDATE trigger_jobs SET attempts = ?, due = ?, last_error = ? WHERE id = ?');

function apply(message) {
  if (message.op === 'commit') {
    const batch = message.batch;
    for (const r of batch.state) {
      if (r.value === null) deleteState.run(r.key);
      else upsertState.run(r.key, r.value);
    }
    setCheckpoint.run(batch.checkpoint);
    for (const j of batch.newJobs) insertJob.run(j.id, j.kind, j.automationId, j.dependsOn, j.due, j.body);
    for (const t of batch.traces || []) {
      if (t.body === null) deleteTrace.run(t.automationId);
      else upsertTrace.run(t.automationId, t.body);
    }
  } else if (message.op === 'complete') {
    for (const id of message.ids) deleteJob.run(id);
  } else if (message.op === 'reschedule') {
    rescheduleJob.run(message.attempts, message.due, message.lastError, message.jobId);
  } else {
    throw new Error('unknown engine state operation ' + message.op);
  }
}
const applyAll = db.transaction((messages) => { for (const m of messages) apply(m); });

function reply(message, error) {
  if (error) parentPort.postMessage({ id: message.id, ok: false, error: { message: String(error && error.message || error), code: error && error.code } });
  else parentPort.postMessage({ id: message.id, ok: true });
}

let queue = [];
let scheduled = false;
let closed = false;
function drain() {
  scheduled = false;
  if (closed) return;
  for (let m = receiveMessageOnPort(parentPort); m; m = receiveMessageOnPort(parentPort)) queue.push(m.message);
  const batch = [];
  while (queue.length > 0 && queue[0].op !== 'close') batch.push(queue.shift());
  if (batch.length > 0) {
    try {
      applyAll.immediate(batch);
      for (const m of batch) reply(m);
    } catch (error) {
      for (const m of batch) {
        try {
          applyAll.immediate([m]);
          reply(m);
        } catch (single) {
          reply(m, single);
        }
      }
    }
  }
  if (queue.length > 0 && queue[0].op === 'close') {
    const m = queue.shift();
    closed = true;
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      reply(m);
    } catch (error) {
      reply(m, error);
    }
    parentPort.close();
    return;
  }
  if (queue.length > 0) schedule();
}
function schedule() {
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}
parentPort.on('message', (message) => {
  queue.push(message);
  schedule();
});
parentPort.postMessage({ ready: true });
`;

type Reply = { id: number; ok: true } | { id: number; ok: false; error: { message: string; code?: string } } | { ready: true };

/**
 * The main-thread handle of the engine state writer worker. Each request resolves once committed.
 *
 * @example
 * const writer = await EngineStateWriter.start(file, ['synchronous = FULL']);
 * await writer.commit({ state: [], checkpoint: 3, newJobs: [] });
 */
export class EngineStateWriter {
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return;
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      this.pending.delete(reply.id);
      if (reply.ok) entry.resolve();
      else entry.reject(new HeraldError('STORAGE_UNAVAILABLE', { message: `Saving trigger state failed: ${reply.error.message}` }));
    });
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.fail(new HeraldError('STORAGE_UNAVAILABLE', { message: `The trigger state writer stopped (exit code ${code}).` }));
        resolve();
      });
    });
    worker.on('error', (error) =>
      this.fail(new HeraldError('STORAGE_UNAVAILABLE', { message: 'The trigger state writer failed.', cause: error })),
    );
  }

  /** Starts the worker on a migrated database file and resolves once it is open. */
  static async start(file: string, pragmas: readonly string[]): Promise<EngineStateWriter> {
    const worker = await startSqliteWorker('trigger state writer', SOURCE, {
      driverPath: BETTER_SQLITE3_PATH,
      file,
      pragmas,
    });
    return new EngineStateWriter(worker);
  }

  commit(batch: EngineCommit): Promise<void> {
    return this.request({ op: 'commit', batch });
  }

  complete(ids: readonly string[]): Promise<void> {
    return this.request({ op: 'complete', ids });
  }

  reschedule(jobId: string, attempts: number, due: number, lastError: string | null): Promise<void> {
    return this.request({ op: 'reschedule', jobId, attempts, due, lastError });
  }

  /** Finishes the queued writes, checkpoints the WAL and stops the worker. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.worker.ref();
      try {
        if (this.failure === null) await this.request({ op: 'close' });
      } finally {
        await this.exited;
      }
    })();
    return this.closing;
  }

  private request(message: Record<string, unknown>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}
