// Diagnostic (not a section of `npm run bench`): WAL pages written per commit by Herald's SQLite write
// path, to see what an index costs at a given commit size. A fresh file gets Herald's migrations and the
// writer's PRAGMAs; 100,000 catalogue events are loaded first (a store in service is not empty); then
// `--count` events go in transactions of `--batch`, with the writer's statements, rollups included. The
// WAL's frame count is read before each checkpoint, so every page written is counted once.
//
// Usage: node bench/lib/wal-pages.mjs [--batch 100] [--count 50000] [--drop index,index] [--no-rollups]
// Prints one JSON line: pagesPerCommit, pagesPerEvent, eventsPerSecond (database time only).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrateSqlite } from '../../packages/server/dist/storage/sqlite/index.js';
import { WRITER_PRAGMAS } from '../../packages/server/dist/storage/sqlite/sqlite-connection.js';
import { createCatalogue } from './catalogue.mjs';
import { blobRows, rawInserter } from './raw-sqlite-writer.mjs';

const { values: opt } = parseArgs({
  options: {
    batch: { type: 'string', default: '100' },
    count: { type: 'string', default: '50000' },
    drop: { type: 'string', default: '' },
    'no-rollups': { type: 'boolean', default: false },
  },
});
const batch = Number(opt.batch);
const CHECKPOINT_EVERY = 50; // commits; keeps the WAL, and the count, bounded

const dir = mkdtempSync(join(tmpdir(), 'herald-wal-pages-'));
const db = new Database(join(dir, 'herald.db'));
db.pragma('journal_mode = WAL');
migrateSqlite(db);
for (const pragma of WRITER_PRAGMAS) db.pragma(pragma);
db.pragma('wal_autocheckpoint = 0');
for (const index of opt.drop.split(',').filter(Boolean)) db.exec(`DROP INDEX ${index}`);

const insertBatch = rawInserter(db, { rollups: !opt['no-rollups'] });
const next = createCatalogue({ seed: process.pid });
const walPages = () => db.pragma('wal_checkpoint(PASSIVE)')[0].log;

for (let loaded = 0; loaded < 100_000; loaded += 5_000) insertBatch.immediate(blobRows(next, 5_000));
db.pragma('wal_checkpoint(TRUNCATE)');

let pages = 0;
let commits = 0;
let dbMs = 0;
for (let events = 0; events < Number(opt.count); events += batch) {
  const rows = blobRows(next, batch);
  const t0 = performance.now();
  insertBatch.immediate(rows);
  dbMs += performance.now() - t0;
  if (++commits % CHECKPOINT_EVERY === 0) {
    pages += walPages();
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
}
pages += walPages();
db.close();
rmSync(dir, { recursive: true });
const events = commits * batch;
process.stdout.write(
  JSON.stringify({
    batch,
    drop: opt.drop || null,
    rollups: !opt['no-rollups'],
    pagesPerCommit: Number((pages / commits).toFixed(1)),
    pagesPerEvent: Number((pages / events).toFixed(3)),
    eventsPerSecond: Math.round(events / (dbMs / 1000)),
  }) + '\n',
);
