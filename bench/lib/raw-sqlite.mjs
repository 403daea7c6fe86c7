// Baseline: a raw better-sqlite3 insert of the same events into Herald's own schema, on the main thread,
// as fast as a hand-written loader can go. A fresh database file gets Herald's migrations and the
// writer's PRAGMAs (WAL, synchronous=FULL, …); each transaction inserts `batch` events with prepared
// statements into the same tables, columns and indexes as Herald's writer (`raw-sqlite-writer.mjs`).
// Rows are built (normalised, encoded) outside the timed part: only database time is counted.
//
// Usage: node raw-sqlite.mjs --file /tmp/x/raw.db [--count 250000] [--seconds 10] [--batch 5000] [--ids v7|v4]
// Prints one JSON line: events, transactions, dbSeconds, eventsPerSecond, stored (rows counted after).
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { migrateSqlite } from '../../packages/server/dist/storage/sqlite/index.js';
import { WRITER_PRAGMAS } from '../../packages/server/dist/storage/sqlite/sqlite-connection.js';
import { createCatalogue } from './catalogue.mjs';
import { blobRows, rawInserter } from './raw-sqlite-writer.mjs';

const { values: opt } = parseArgs({
  options: {
    file: { type: 'string' },
    count: { type: 'string', default: '250000' },
    seconds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '5000' },
    ids: { type: 'string', default: 'v7' },
  },
});
const count = Number(opt.count);
const budgetMs = Number(opt.seconds) * 1000;
const batch = Number(opt.batch);

const db = new Database(opt.file);
db.pragma('journal_mode = WAL');
migrateSqlite(db);
for (const pragma of WRITER_PRAGMAS) db.pragma(pragma);
// Herald's writer leaves checkpoints to a worker of its own (sqlite-checkpointer-source.ts); a plain
// loader lets SQLite checkpoint inline, at the threshold Herald's writer used before it had that worker.
db.pragma('wal_autocheckpoint = 10000');

const insertBatch = rawInserter(db);

const next = createCatalogue({ seed: process.pid, idKind: opt.ids });
let events = 0;
let transactions = 0;
let dbMs = 0;
while (events < count && dbMs < budgetMs) {
  const size = Math.min(batch, count - events);
  const rows = blobRows(next, size);
  const t0 = performance.now();
  insertBatch.immediate(rows);
  dbMs += performance.now() - t0;
  events += size;
  transactions++;
}
const stored = db.prepare('SELECT count(*) FROM events').pluck().get();
db.close();
process.stdout.write(
  JSON.stringify({ events, transactions, dbSeconds: dbMs / 1000, eventsPerSecond: events / (dbMs / 1000), stored }) + '\n',
);
