// The raw insert path the SQLite baselines share: the same tables, columns and indexes as Herald's writer
// (`sqlite-writer-source.ts`): events, resource_keys (interned ids, with an in-memory cache),
// event_resource_rows and log_position, with prepared statements on the calling thread. Resource rows go in
// pending and are moved into the resource index a batch of events at a time, as the writer does
// (`sqlite-resource-tail.ts`). With `rollups`, also event_day_counts and event_minute_counts, once per
// (unit, event) per transaction as the writer does.
import { encodeAppendRows } from '../../packages/server/dist/storage/sqlite/encode-append-rows.js';
import { INDEX_PENDING_SQL, RESOURCE_INDEX_BATCH_EVENTS } from '../../packages/server/dist/storage/sqlite/sqlite-resource-tail.js';
import { buildRecords } from './event-records.mjs';

const DAY = 86_400_000_000;
const MINUTE = 60_000_000;

/**
 * `count` catalogue events as encoded append rows, the id and follows hex turned into the Buffers the
 * writer binds.
 */
export function blobRows(next, count) {
  const rows = encodeAppendRows(buildRecords(next, count));
  for (let i = 0; i < rows.length; i += 8 + rows[i + 6] * 3) {
    rows[i] = Buffer.from(rows[i], 'hex');
    if (rows[i + 7] !== null) rows[i + 7] = Buffer.from(rows[i + 7], 'hex');
  }
  return rows;
}

/** A transaction function inserting `blobRows` into a migrated database; call it with `.immediate(rows)`. */
export function rawInserter(db, { rollups = false } = {}) {
  const insertEvent = db.prepare(
    'INSERT INTO events (seq, id, occurred, received, event, resource_id, json, follows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertRow = db.prepare('INSERT INTO event_resource_rows (rid, rkey, role, occurred, labels, pending) VALUES (?, ?, ?, ?, ?, 1)');
  const indexRows = db.prepare(INDEX_PENDING_SQL.rows);
  const saveUnindexedFrom = db.prepare(INDEX_PENDING_SQL.position);
  let unindexedFrom = db.prepare(INDEX_PENDING_SQL.read).pluck().get();
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

  function count(counts, unit, occurred, event) {
    const key = `${Math.floor(occurred / unit)} ${event}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }

  function addCounts(counts, statement) {
    for (const [key, n] of counts) {
      const space = key.indexOf(' ');
      statement.run(Number(key.slice(0, space)), key.slice(space + 1), n);
    }
  }

  let seq = 0;
  return db.transaction((rows) => {
    const days = new Map();
    const minutes = new Map();
    for (let i = 0; i < rows.length;) {
      seq++;
      const occurred = rows[i + 1];
      const resources = rows[i + 6];
      insertEvent.run(seq, rows[i], occurred, rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5], rows[i + 7]);
      if (rollups) {
        count(days, DAY, occurred, rows[i + 3]);
        count(minutes, MINUTE, occurred, rows[i + 3]);
      }
      i += 8;
      for (let position = 0; position < resources; position++, i += 3) {
        insertRow.run(seq * 1024 + position, keyOf(rows[i]), rows[i + 1], occurred, rows[i + 2]);
      }
    }
    if (rollups) {
      addCounts(days, addDayCount);
      addCounts(minutes, addMinuteCount);
    }
    const end = (seq + 1) * 1024;
    if (end - unindexedFrom >= RESOURCE_INDEX_BATCH_EVENTS * 1024) {
      indexRows.run(unindexedFrom, end);
      saveUnindexedFrom.run(end);
      unindexedFrom = end;
    }
    savePosition.run(seq);
  });
}
