// Baseline: a raw better-sqlite3 insert of the same events into Herald's own schema, on the main thread,
// as fast as a hand-written loader can go. A fresh database file gets Herald's migrations and the
// writer's PRAGMAs (WAL, synchronous=FULL, …); each transaction inserts `batch` events with prepared
// statements into the same tables, columns and indexes as Herald's writer (`sqlite-writer-source.ts`):
// events, resource_keys (interned ids, with an in-memory cache), event_resource_rows, log_position.
// Rows are built (normalised, encoded) outside the timed part: only database time is counted.
//
// Usage: node raw-sqlite.mjs --file /tmp/x/raw.db [--count 250000] [--seconds 10] [--batch 5000] [--ids v7|v4]
// Prints one JSON line: events, transactions, dbSeconds, eventsPerSecond, stored (rows counted after).
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { migrateSqlite } from '../../packages/server/dist/storage/sqlite/index.js';
import { WRITER_PRAGMAS } from '../../packages/server/dist/storage/sqlite/sqlite-connection.js';
import { encodeAppendRows } from '../../packages/server/dist/storage/sqlite/encode-append-rows.js';
import { createCatalogue } from './catalogue.mjs';
import { buildRecords } from './event-records.mjs';

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

const insertEvent = db.prepare(
  'INSERT INTO events (seq, id, occurred, received, event, resource_id, json, follows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
);
const insertRow = db.prepare('INSERT INTO event_resource_rows (rid, rkey, role, occurred, labels) VALUES (?, ?, ?, ?, ?)');
const findKey = db.prepare('SELECT rkey FROM resource_keys WHERE resource_id = ?').pluck();
const insertKey = db.prepare('INSERT INTO resource_keys (resource_id) VALUES (?)');
const savePosition = db.prepare('UPDATE log_position SET last_seq = ? WHERE id = 1');

const keys = new Map();
function keyOf(resourceId) {
  let rkey = keys.get(resourceId);
  if (rkey === undefined) {
    rkey = findKey.get(resourceId) ?? Number(insertKey.run(resourceId).lastInsertRowid);
    keys.set(resourceId, rkey);
  }
  return rkey;
}

let seq = 0;
const insertBatch = db.transaction((rows) => {
  for (let i = 0; i < rows.length;) {
    seq++;
    const occurred = rows[i + 1];
    const resources = rows[i + 6];
    insertEvent.run(seq, rows[i], occurred, rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5], rows[i + 7]);
    i += 8;
    for (let position = 0; position < resources; position++, i += 3) {
      insertRow.run(seq * 1024 + position, keyOf(rows[i]), rows[i + 1], occurred, rows[i + 2]);
    }
  }
  savePosition.run(seq);
});

const next = createCatalogue({ seed: process.pid, idKind: opt.ids });
let events = 0;
let transactions = 0;
let dbMs = 0;
while (events < count && dbMs < budgetMs) {
  const size = Math.min(batch, count - events);
  const rows = encodeAppendRows(buildRecords(next, size));
  // The id and follows BLOBs are bound as Buffers, as the writer does.
  for (let i = 0; i < rows.length; i += 8 + rows[i + 6] * 3) {
    rows[i] = Buffer.from(rows[i], 'hex');
    if (rows[i + 7] !== null) rows[i + 7] = Buffer.from(rows[i + 7], 'hex');
  }
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
