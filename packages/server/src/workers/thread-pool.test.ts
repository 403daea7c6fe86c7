import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createThreadPool, startModuleWorker, type ThreadPool } from './thread-pool.js';

/** A thread from source that is evaluated as CommonJS. */
const thread = (source: string) => () => new Worker(source, { eval: true });
const errors: string[] = [];
const warnings: string[] = [];
const logger = { error: (_object: object, message: string) => void errors.push(message), warn: (_object: object, message: string) => void warnings.push(message) };
const pools: ThreadPool<number, number>[] = [];

function pool(
  spawn: () => Worker,
  inline: (n: number) => number | Promise<number>,
  timeLimit?: { ms: number; error: () => Error },
): ThreadPool<number, number> {
  const created = createThreadPool<number, number>({ name: 'test', threads: 1, spawn, inline, timeLimit, logger });
  pools.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  errors.length = 0;
  warnings.length = 0;
});

// A worker module that is TypeScript here, under vitest, as every worker of the server is.
const doublingWorker = new URL('../test-support/doubling-worker.ts', import.meta.url).href;

// The interpreter pool's tests (webhooks/interpreter-pool.test.ts) cover threads that cannot start,
// stop, or close under way; these cover what the read threads of SQLite add: async and failing jobs.
describe('createThreadPool', () => {
  it('answers with what the thread computed, a tick of jobs in one message', async () => {
    const doubling = thread(
      "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.on('message', (jobs) => parentPort.postMessage(jobs.map(({ id, input }) => ({ id, result: input * 2 + jobs.length * 1000 }))));",
    );
    const doubled = pool(doubling, () => -1);
    // Three jobs of one tick went in one message of three.
    expect(await Promise.all([1, 2, 3].map((n) => doubled.run(n)))).toEqual([3002, 3004, 3006]);
  });

  it('starts a worker module from the TypeScript sources, and the job runs there', async () => {
    const doubled = pool(
      () => startModuleWorker(doublingWorker, 'doubling-worker'),
      () => {
        throw new Error('ran on the calling thread');
      },
    );
    expect(await doubled.run(21)).toBe(42);
    expect(errors).toEqual([]);
  });

  it('fails a job past its time limit, replaces its busy thread, and sends the thread its other jobs', async () => {
    let started = 0;
    // Spins for ever on a negative number; doubles any other.
    const spinning = thread(
      "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.on('message', (jobs) => { if (jobs.some(({ input }) => input < 0)) for (;;); parentPort.postMessage(jobs.map(({ id, input }) => ({ id, result: input * 2 }))); });",
    );
    const limited = pool(
      () => {
        started++;
        return spinning();
      },
      () => {
        throw new Error('ran on the calling thread');
      },
      { ms: 200, error: () => new Error('past the time limit') },
    );
    expect(await limited.run(1)).toBe(2);
    // Both go in one message to the thread, which spins on the first and never answers the second.
    const [stuck, behind] = [limited.run(-1), limited.run(21)];
    await expect(stuck).rejects.toThrow('past the time limit');
    expect(await behind).toBe(42);
    expect(await limited.run(4)).toBe(8);
    expect(started).toBe(2);
    expect(warnings).toEqual(['a test job ran past its time limit; its thread is replaced']);
    expect(errors).toEqual([]);
  });

  it('rejects with the error of the calling thread when a job that failed in its thread fails there too', async () => {
    const failing = thread(
      "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (jobs) => parentPort.postMessage(jobs.map(({ id }) => ({ id, failed: true }))));",
    );
    const strict = pool(failing, async (n) => {
      if (n < 0) throw new Error(`no such row: ${n}`);
      return n;
    });
    await expect(strict.run(-7)).rejects.toThrow('no such row: -7');
    expect(await strict.run(7)).toBe(7);
    expect(errors).toEqual([]);
  });
});
