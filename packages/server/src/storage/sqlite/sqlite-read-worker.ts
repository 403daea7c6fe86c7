import { workerData } from 'node:worker_threads';
import { serveThreadJobs } from '../../workers/serve-thread-jobs.js';
import { readFilters, runFilterRead, type FilterRead } from './sqlite-filter-reads.js';
import { SqliteReader } from './sqlite-reader.js';

/**
 * A read thread of the SQLite store (`sqliteFilterReads`): runs the filter reads it is sent on
 * connections of its own. It reconnects after each of the writer's ANALYZE runs, which `analyzed`
 * counts, so that its plans use the new statistics.
 */
const { file, analyzed } = workerData as { file: string; analyzed: Int32Array };
const reader = new SqliteReader(file);
const reads = readFilters(reader);
let seen = Atomics.load(analyzed, 0);

serveThreadJobs((read: FilterRead) => {
  const now = Atomics.load(analyzed, 0);
  if (now !== seen) {
    seen = now;
    reader.refresh();
  }
  return runFilterRead(reads, read);
});
