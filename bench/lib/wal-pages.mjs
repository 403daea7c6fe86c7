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
import { encodeAppendRows } from '../../packages/server/dist/storage/sqlite/encode-append-rows.js';
import { createCatalogue } from './catalogue.mjs';
import { buildRecords } from './event-records.mjs';

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

const insertEvent = db.prepare(
  'INSERT INTO events (seq, id, occurred, received, event, resource_id, json, follows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
);
const insertRow = db.prepare('INSERT INTO event_resource_rows (rid, rkey, role, occurred, labels) VALUES (?, ?, ?, ?, ?)');
const findKey = db.prepare('SELECT rkey FROM resource_keys WHERE resource_id = ?').pluck();
const insertKey = db.prepare('INSERT INTO resource_keys (resource_id) VALUES (?)');
const savePosition = db.prepare('UPDATE log_position SET last_seq = ? WHERE id = 1');
const addDayCount = db.prepare(
  'INSERT INTO event_day_counts (day, event, count) VALUES (?, ?, ?) ON CONFLICT (day, event) DO UPDATE SET count = count + excluded.count',
);
const addMinuteCount = db.prepare(
  'INSERT INTO event_minute_counts (minute, event, count) VALUES (?, ?, ?) ON CONFLICT (minute, event) DO UPDATE SET count = count + excluded.count',
);

const keys = new Map();
function keyOf(resourceId) {
  let rkey = keys.get(resourceId);
  if (rkey === undefined) {
    rkey = findKey.get(resourceId) ?? Number(insertKey.run(resourceId).lastInsertRowid);
    keys.set(resourceId, rkey);
  }
  return rkey;
}

function addCounts(counts, statement) {
  for (const [key, n] of counts) {
    const space = key.indexOf(' ');
    statement.run(Number(key.slice(0, space)), key.slice(space + 1), n);
  }
}

let seq = 0;
const insertBatch = db.transaction((rows) => {
  const days = new Map();
  const minutes = new Map();
  for (let i = 0; i < rows.length;) {
    seq++;
    const occurred = rows[i + 1];
    const resources = rows[i + 6];
    insertEvent.run(seq, rows[i], occurred, rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5], rows[i + 7]);
    const day = `${Math.floor(occurred / 86_400_000_000)} ${rows[i + 3]}`;
    const minute = `${Math.floor(occurred / 60_000_000)} ${rows[i + 3]}`;
    days.set(day, (days.get(day) ?? 0) + 1);
    minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
    i += 8;
    for (let position = 0; position < resources; position++, i += 3) {
      insertRow.run(seq * 1024 + position, keyOf(rows[i]), rows[i + 1], occurred, rows[i + 2]);
    }
  }
  if (!opt['no-rollups']) {
    addCounts(days, addDayCount);
    addCounts(minutes, addMinuteCount);
  }
  savePosition.run(seq);
});

const next = createCatalogue({ seed: process.pid });
function rowsOf(count) {
  const rows = encodeAppendRows(buildRecords(next, count));
  for (let i = 0; i < rows.length; i += 8 + rows[i + 6] * 3) rows[i] = Buffer.from(rows[i], 'hex');
  return rows;
}
const walPages = () => db.pragma('wal_checkpoint(PASSIVE)')[0].log;

for (let loaded = 0; loaded < 100_000; loaded += 5_000) insertBatch.immediate(rowsOf(5_000));
db.pragma('wal_checkpoint(TRUNCATE)');

let pages = 0;
let commits = 0;
let dbMs = 0;
for (let events = 0; events < Number(opt.count); events += batch) {
  const rows = rowsOf(batch);
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
