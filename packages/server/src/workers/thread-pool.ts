import { Worker } from 'node:worker_threads';

/** Where a pool reports a thread that stopped (error) or a job past its time limit (warn). */
export interface PoolLogger {
  error(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Runs jobs on worker threads, or on the calling thread when it has none. */
export interface ThreadPool<I, O> {
  run(input: I): Promise<O>;
  /** Waits for the jobs under way, then stops the threads. */
  close(): Promise<void>;
}

/** A job on its way to a thread (`serveThreadJobs` answers it). */
export interface ThreadJob<M> {
  id: number;
  input: M;
}

/** A thread's answer to a job: its result, or `failed` when the job threw there. */
export type ThreadReply<O> = { id: number; result: O } | { id: number; failed: true };

interface Job<I, O> {
  input: I;
  resolve: (result: O | Promise<O>) => void;
  /** Set while the job is on a thread that has started, with a time limit. */
  timer?: NodeJS.Timeout;
}

interface Thread<I, O, M> {
  worker: Worker;
  /** Jobs sent or about to be sent, by id. */
  jobs: Map<number, Job<I, O>>;
  /** Jobs not yet posted: a tick's jobs go in one message. */
  outbox: ThreadJob<M>[];
  ready: boolean;
  stopped: boolean;
}

export interface ThreadPoolOptions<I, O, M> {
  /** What the log calls a thread, e.g. `webhook interpreter`. */
  name: string;
  threads: number;
  /** Starts one thread (see {@link startModuleWorker}); the tests start threads that fail. */
  spawn: () => Worker;
  /** Runs a job on the calling thread: with no thread, and for a job whose thread failed it. */
  inline: (input: I) => O | Promise<O>;
  /** The job as it is posted (default: as is). */
  toMessage?: (input: I) => M;
  /**
   * A job still unanswered `ms` after it went to a thread (or after the thread started, for one sent
   * while it was starting) rejects with `error()`, and its thread, still busy with it, is replaced; the
   * thread's other jobs go to the threads left, each with `ms` anew. A job that runs on the calling
   * thread has no limit: nothing could stop it there.
   */
  timeLimit?: { ms: number; error: () => Error };
  logger: PoolLogger;
}

/**
 * Runs jobs on `threads` worker threads, so that slow work never holds up the calling thread's event
 * loop. The answer is always the one `inline` gives: a job that throws in a thread, or whose thread
 * stops, runs again on the calling thread. A thread that stops after it started is replaced; one that
 * cannot start leaves its share to the calling thread, and with `threads` 0 every job runs there. The
 * threads start with the first job, and the jobs of one tick go to a thread in one message. With a
 * `timeLimit`, a job that takes too long fails and its thread is replaced.
 *
 * @example
 * const pool = createThreadPool({ name: 'reader', threads: 1, spawn, inline: (q) => read(q), logger });
 * const rows = await pool.run(query);
 */
export function createThreadPool<I, O, M = I>(options: ThreadPoolOptions<I, O, M>): ThreadPool<I, O> {
  const { name, spawn, logger } = options;
  const toMessage = options.toMessage ?? ((input: I) => input as unknown as M);
  const threads: Thread<I, O, M>[] = [];
  let nextId = 0;
  let flushScheduled = false;
  let closing = false;
  let drained: (() => void) | null = null;

  // A job that throws here rejects its promise.
  const inline = (job: Job<I, O>): void => job.resolve(Promise.resolve(job.input).then(options.inline));
  const pending = (): number => threads.reduce((sum, thread) => sum + thread.jobs.size, 0);

  function settled(): void {
    if (drained !== null && pending() === 0) drained();
  }

  /** Sends a job to the least busy thread, or runs it here when there is none. */
  function dispatch(id: number, job: Job<I, O>): void {
    if (closing || threads.length === 0) return inline(job);
    const thread = threads.reduce((least, candidate) => (candidate.jobs.size < least.jobs.size ? candidate : least));
    clearTimeout(job.timer);
    if (thread.ready) arm(id, job);
    thread.jobs.set(id, job);
    thread.outbox.push({ id, input: toMessage(job.input) });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  /** Starts the time limit of a job on a thread that has started. */
  function arm(id: number, job: Job<I, O>): void {
    const { timeLimit } = options;
    if (timeLimit !== undefined) job.timer = setTimeout(() => expire(id, timeLimit), timeLimit.ms);
  }

  /** Fails a job past its time limit, and replaces its thread, which is still busy with it. */
  function expire(id: number, limit: NonNullable<ThreadPoolOptions<I, O, M>['timeLimit']>): void {
    const thread = threads.find((candidate) => candidate.jobs.has(id));
    if (thread === undefined) return;
    const job = thread.jobs.get(id)!;
    thread.jobs.delete(id);
    job.resolve(Promise.reject(limit.error()));
    thread.stopped = true;
    threads.splice(threads.indexOf(thread), 1);
    void thread.worker.terminate();
    logger.warn({ limitMs: limit.ms }, `a ${name} job ran past its time limit; its thread is replaced`);
    if (!closing) threads.push(start());
    const others = [...thread.jobs];
    thread.jobs.clear();
    thread.outbox = [];
    for (const [otherId, other] of others) dispatch(otherId, other);
    settled();
  }

  function start(): Thread<I, O, M> {
    const thread: Thread<I, O, M> = { worker: spawn(), jobs: new Map(), outbox: [], ready: false, stopped: false };
    const stop = (error: unknown): void => {
      if (thread.stopped) return;
      thread.stopped = true;
      const at = threads.indexOf(thread);
      if (at !== -1) threads.splice(at, 1);
      // Its jobs run here even while the pool closes, which waits for them; `close` itself stops threads with none.
      for (const job of thread.jobs.values()) inline(job);
      thread.jobs.clear();
      if (!closing) {
        logger.error({ err: error }, `a ${name} thread ${thread.ready ? 'stopped' : 'could not start'}; its jobs run on the main thread`);
        if (thread.ready) threads.push(start());
      }
      settled();
    };
    thread.worker.unref();
    thread.worker.on('message', (message: { ready: true } | ThreadReply<O>[]) => {
      if (!Array.isArray(message)) {
        thread.ready = true;
        for (const [id, job] of thread.jobs) arm(id, job);
        return;
      }
      for (const reply of message) {
        const job = thread.jobs.get(reply.id);
        if (job === undefined) continue;
        thread.jobs.delete(reply.id);
        if ('failed' in reply) inline(job);
        else job.resolve(reply.result);
      }
      settled();
    });
    thread.worker.on('error', stop);
    thread.worker.on('exit', (code) => stop(new Error(`the thread exited with code ${code}`)));
    return thread;
  }

  function flush(): void {
    flushScheduled = false;
    for (const thread of threads) {
      if (thread.outbox.length === 0) continue;
      thread.worker.postMessage(thread.outbox);
      thread.outbox = [];
    }
  }

  // The threads start with the first job: a server that never needs them keeps none.
  let started = false;

  return {
    run(input) {
      if (!started) {
        started = true;
        for (let i = 0; i < options.threads; i++) threads.push(start());
      }
      return new Promise((resolve) => {
        const job: Job<I, O> = {
          input,
          resolve: (result) => {
            clearTimeout(job.timer);
            resolve(result);
          },
        };
        dispatch(++nextId, job);
      });
    },

    async close() {
      closing = true;
      if (pending() > 0) await new Promise<void>((resolve) => (drained = resolve));
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
      threads.length = 0;
    },
  };
}

/**
 * Starts the worker module `name` next to the module at `from` (an `import.meta.url`): the `.js` file
 * when running from `dist/`; from the TypeScript sources (under vitest), the `.ts` file loaded through
 * tsx, a development dependency, since Node 20 cannot load TypeScript in a worker.
 *
 * @example
 * startModuleWorker(import.meta.url, 'interpreter-worker')
 */
export function startModuleWorker(from: string, name: string, workerData?: unknown): Worker {
  const entry = new URL(`./${name}.${from.endsWith('.ts') ? 'ts' : 'js'}`, from);
  if (entry.pathname.endsWith('.js')) return new Worker(entry, { workerData });
  // The ESM entry (import conditions): the CommonJS one, which require.resolve finds, registers its
  // loader at a path that does not exist, and the thread fails to start.
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(source, { eval: true, workerData });
}
