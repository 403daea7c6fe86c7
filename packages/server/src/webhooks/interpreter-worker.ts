import { serveThreadJobs } from '../workers/serve-thread-jobs.js';
import type { InterpreterJob } from './interpreter-pool.js';
import { interpretRequest } from './webhook-interpreter.js';
import { renderWebhookTemplate } from './webhook-template-render.js';

/** A thread of the interpreter pool (interpreter-pool.ts): interprets each request it is sent. */
serveThreadJobs(({ webhook, request }: InterpreterJob) => {
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  return interpretRequest(webhook, { ...request, body }, renderWebhookTemplate);
});
