import { parentPort } from 'node:worker_threads';
import type { InterpreterJob, InterpreterReply } from './interpreter-pool.js';
import { interpretRequest } from './webhook-interpreter.js';
import { renderWebhookTemplate } from './webhook-template-render.js';

/**
 * A thread of the interpreter pool (interpreter-pool.ts): it interprets each batch of requests it is
 * sent and answers with one reply per job. A job that throws is answered `failed`, and the pool runs it
 * again on its own thread, so that the answer is what it would have been without threads.
 */
const port = parentPort!;

port.on('message', (jobs: InterpreterJob[]) => {
  const replies: InterpreterReply[] = jobs.map(({ id, webhook, request }) => {
    try {
      const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
      return { id, result: interpretRequest(webhook, { ...request, body }, renderWebhookTemplate) };
    } catch {
      return { id, failed: true };
    }
  });
  port.postMessage(replies);
});
port.postMessage({ ready: true });
