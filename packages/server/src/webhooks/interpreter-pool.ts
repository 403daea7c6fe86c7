import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { InboundRequest } from './inbound-request.js';
import { interpretRequest, type Interpretation, type RenderWebhookTemplate, type WebhookRef } from './webhook-interpreter.js';

/** Interprets requests for webhooks ({@link interpretRequest}): on this thread, or on worker threads. */
export interface RequestInterpreter {
  interpret(webhook: WebhookRef, request: InboundRequest): Promise<Interpretation>;
  /** Waits for the requests under way, then stops the threads. */
  close(): Promise<void>;
}

/** A request on its way to a thread. The body is a copy of its own, so that only its bytes are cloned. */
export interface InterpreterJob {
  id: number;
  webhook: WebhookRef;
  request: Omit<InboundRequest, 'body'> & { body: Uint8Array };
}

/** A thread's answer to a job: the interpretation, or `failed` when interpreting threw. */
export type InterpreterReply = { id: number; result: Interpretation } | { id: number; failed: true };

interface Job {
  webhook: WebhookRef;
  request: InboundRequest;
  resolve: (result: Interpretation) => void;
}

interface Thread {
  worker: Worker;
  /** Jobs sent or about to be sent, by id. */
  jobs: Map<number, Job>;
  /** Jobs not yet posted: a tick's requests go in one message. */
  outbox: InterpreterJob[];
  ready: boolean;
  stopped: boolean;
}

/** Interprets on the calling thread (`HERALD_WEBHOOK_THREADS=0`, and previews). */
export function inlineInterpreter(render: RenderWebhookTemplate): RequestInterpreter {
  return {
    interpret: async (webhook, request) => interpretRequest(webhook, request, render),
    close: async () => undefined,
  };
}

function startWorker(): Worker {
  const entry = new URL(`./interpreter-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  if (entry.pathname.endsWith('.js')) return new Worker(entry);
  // From the TypeScript sources (under vitest) the thread loads them through tsx, a development dependency.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  const source = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(source, { eval: true });
}

/**
 * Interprets webhook requests (render the template, parse its JSON, complete the event) on `threads`
 * worker threads, so that the HTTP thread only routes, ingests and answers, and a slow template never
 * holds up other requests. The answer is always the one {@link interpretRequest} gives: a job that
 * throws in a thread, or whose thread stops, runs again on the calling thread. A thread that stops
 * after it started is replaced; one that cannot start leaves its share to the calling thread. The
 * threads start with the first request.
 *
 * @example
 * const interpreter = createInterpreterPool({ threads: 1, render: renderWebhookTemplate, logger });
 * const result = await interpreter.interpret(webhook, request);
 */
export function createInterpreterPool(options: {
  threads: number;
  render: RenderWebhookTemplate;
  logger: Logger;
  /** Starts one thread; the tests start threads that fail. */
  spawn?: () => Worker;
}): RequestInterpreter {
  const { render, logger } = options;
  const spawn = options.spawn ?? startWorker;
  const threads: Thread[] = [];
  let nextId = 0;
  let flushScheduled = false;
  let closing = false;
  let drained: (() => void) | null = null;

  const inline = (job: Job): void => job.resolve(interpretRequest(job.webhook, job.request, render));
  const pending = (): number => threads.reduce((sum, thread) => sum + thread.jobs.size, 0);

  function settled(): void {
    if (drained !== null && pending() === 0) drained();
  }

  function start(): Thread {
    const thread: Thread = { worker: spawn(), jobs: new Map(), outbox: [], ready: false, stopped: false };
    const stop = (error: unknown): void => {
      if (thread.stopped) return;
      thread.stopped = true;
      const at = threads.indexOf(thread);
      if (at !== -1) threads.splice(at, 1);
      // Its jobs run here even while the pool closes, which waits for them; `close` itself stops threads with none.
      for (const job of thread.jobs.values()) inline(job);
      thread.jobs.clear();
      if (!closing) {
        logger.error({ err: error }, 'a webhook interpreter thread stopped; its requests run on the main thread');
        if (thread.ready) threads.push(start());
      }
      settled();
    };
    thread.worker.unref();
    thread.worker.on('message', (message: { ready: true } | InterpreterReply[]) => {
      if (!Array.isArray(message)) {
        thread.ready = true;
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

  // The threads start with the first request: a server whose webhooks are never called keeps no thread.
  let started = false;

  return {
    interpret(webhook, request) {
      if (!started) {
        started = true;
        for (let i = 0; i < options.threads; i++) threads.push(start());
      }
      if (closing || threads.length === 0) return Promise.resolve(interpretRequest(webhook, request, render));
      const thread = threads.reduce((least, candidate) => (candidate.jobs.size < least.jobs.size ? candidate : least));
      return new Promise((resolve) => {
        const id = ++nextId;
        thread.jobs.set(id, { webhook, request, resolve });
        thread.outbox.push({
          id,
          webhook: { id: webhook.id, name: webhook.name, template: webhook.template },
          request: {
            method: request.method,
            headers: request.headers,
            query: request.query,
            received: request.received,
            body: new Uint8Array(request.body),
          },
        });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
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
