import { HeraldError } from '@herald/core';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The absolute path of better-sqlite3, which a worker evaluated from source requires by path. */
export const BETTER_SQLITE3_PATH = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Starts a worker from plain source (`eval: true`, see `sqlite-writer-source.ts` for why) that opens a
 * SQLite database, and resolves once it has posted its first message (that it is open). The worker is
 * unreferenced: its owner references it while requests are in flight. An error before then rejects
 * with `STORAGE_UNAVAILABLE`, naming the worker (`what`, e.g. 'SQLite writer').
 *
 * @example
 * const worker = await startSqliteWorker('SQLite writer', WRITER_WORKER_SOURCE, workerData);
 */
export async function startSqliteWorker(what: string, source: string, workerData: unknown): Promise<Worker> {
  const worker = new Worker(source, { eval: true, workerData });
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      worker.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      worker.off('message', onReady);
      reject(new HeraldError('STORAGE_UNAVAILABLE', { message: `The ${what} could not open its database.`, cause: error }));
    };
    worker.once('message', onReady);
    worker.once('error', onError);
  });
  worker.unref();
  return worker;
}
