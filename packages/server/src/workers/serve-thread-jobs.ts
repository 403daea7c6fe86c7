import { parentPort } from 'node:worker_threads';
import type { ThreadJob, ThreadReply } from './thread-pool.js';

/**
 * The thread side of a {@link createThreadPool} pool: answers each message of jobs with one reply per
 * job, in order. A job that throws is answered `failed`, and the pool runs it again on its own thread,
 * so that the answer is what it would have been without threads.
 *
 * @example
 * serveThreadJobs((job: InterpreterJob) => interpretRequest(job.webhook, job.request, render));
 */
export function serveThreadJobs<M, O>(handle: (input: M) => O | Promise<O>): void {
  const port = parentPort!;
  port.on('message', async (jobs: ThreadJob<M>[]) => {
    const replies: ThreadReply<O>[] = [];
    for (const { id, input } of jobs) {
      try {
        replies.push({ id, result: await handle(input) });
      } catch {
        replies.push({ id, failed: true });
      }
    }
    port.postMessage(replies);
  });
  port.postMessage({ ready: true });
}
