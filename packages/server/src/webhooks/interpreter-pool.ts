import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { createThreadPool, startModuleWorker } from '../workers/thread-pool.js';
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
  webhook: WebhookRef;
  request: Omit<InboundRequest, 'body'> & { body: Uint8Array };
}

/**
 * Interprets webhook requests (render the template, parse its JSON, complete the event) on `threads`
 * worker threads (`interpreter-worker.ts`), so that the HTTP thread only routes, ingests and answers,
 * and a slow template never holds up other requests; with `threads` 0 (`HERALD_WEBHOOK_THREADS=0`),
 * on the calling thread. The answer is always the one {@link interpretRequest} gives (see
 * {@link createThreadPool}).
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
  const pool = createThreadPool<{ webhook: WebhookRef; request: InboundRequest }, Interpretation, InterpreterJob>({
    name: 'webhook interpreter',
    threads: options.threads,
    spawn: options.spawn ?? (() => startModuleWorker(import.meta.url, 'interpreter-worker')),
    inline: ({ webhook, request }) => interpretRequest(webhook, request, options.render),
    toMessage: ({ webhook, request }) => ({
      webhook: { id: webhook.id, name: webhook.name, template: webhook.template },
      request: {
        method: request.method,
        headers: request.headers,
        query: request.query,
        received: request.received,
        body: new Uint8Array(request.body),
      },
    }),
    logger: options.logger,
  });
  return { interpret: (webhook, request) => pool.run({ webhook, request }), close: () => pool.close() };
}
