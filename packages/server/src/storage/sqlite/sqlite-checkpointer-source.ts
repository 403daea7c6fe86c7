/*
 * The WAL checkpointer, a worker beside the writer with its own connection, started from plain source
 * for the reasons given in `sqlite-writer-source.ts`.
 *
 * A checkpoint copies the WAL's pages into the database file and syncs it. Run by the writer (SQLite's
 * auto-checkpoint), it held up the commit that crossed the threshold, and every acknowledgement behind
 * it, for 20–30 ms: the p99 of POST → /out at 5,000 events/s was 26–27 ms with it and 14 ms with no
 * checkpoint at all. Here a PASSIVE checkpoint runs every `intervalMs` while the writer goes on
 * committing to the WAL, and the WAL's length in frames goes to `walFrames[0]` (shared memory). The
 * writer restarts the WAL from its start once everything in it has been copied. Under a sustained load
 * that moment may never come (the WAL reached 1.1 GB in 15 s of ingest), so the writer itself resets
 * the WAL when it holds too many frames (see `maybeRestartWal` in `sqlite-writer-source.ts`): a RESTART
 * checkpoint from another connection never finds the writer between two transactions.
 *
 * Protocol: the worker posts `{ ready: true }` once open; `{ op: 'close' }` stops the timer, closes the
 * connection and ends the worker.
 */
export const CHECKPOINTER_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);

const db = new Database(workerData.file);
for (const pragma of workerData.pragmas) db.pragma(pragma);

const walFrames = new Int32Array(workerData.walFrames);

function checkpoint() {
  try {
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
    Atomics.store(walFrames, 0, log);
  } catch {
    // Busy or interrupted: the next round copies what this one did not.
  }
}

const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.op !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;
