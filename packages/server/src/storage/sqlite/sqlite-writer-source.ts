/*
 * The writer worker, as plain JavaScript source started with `new Worker(source, { eval: true })`.
 *
 * Why a string: the same code must run from the compiled `dist/` and from the TypeScript sources
 * under vitest. Node 20 cannot load `.ts` in a worker, tsx is not installed, and `tsc` does not copy a
 * `.js`/`.mjs` file from `src/` to `dist/`. An eval'd source needs no transpiler and no file lookup;
 * better-sqlite3 is required by the absolute path that `workerData.driverPath` carries. The worker
 * only binds rows that the main thread has already encoded (`encode-append-rows.ts`); the contract
 * suite and the SQLite tests exercise it through the store, and a kill -9 test runs it in a child.
 *
 * Protocol (main → worker): `{ id, op: 'append', rows, count }`, `{ id, op: 'purge', cutoff,
 * batchSize }`, `{ id, op: 'run', sql, params }`, `{ id, op: 'transaction', statements: [{ sql, params }] }`,
 * `{ id, op: 'close' }`. Replies: `{ id, ok: true,
 * value }` or `{ id, ok: false, error: { message, code } }`. After opening, the worker posts
 * `{ ready: true }`, and after each ANALYZE `{ analyzed: true }` (readers reconnect to load the new
 * statistics).
 *
 * Jobs run in arrival order. Appends that are queued together are committed in one transaction
 * (group commit: under load, bigger transactions write each dirty index page once for many events);
 * if that transaction fails, each append is retried alone so that one bad batch cannot fail another.
 * A purge runs one batch per transaction and goes back to the end of the queue between batches, so
 * appends are never held up for long.
 */
export const WRITER_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const Database = require(workerData.driverPath);

const db = new Database(workerData.file);
for (const pragma of workerData.pragmas) db.pragma(pragma);

const RESULT = { inserted: 0, duplicate: 1, conflict: 2 };
const MAX_EVENTS_PER_TRANSACTION = workerData.maxEventsPerTransaction;

const insertEvent = db.prepare('INSERT INTO events (seq, id, occurred, received, event, resource_id, json, follows) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
const storedJson = db.prepare('SELECT json FROM events WHERE id = ?').pluck();
const insertRow = db.prepare('INSERT INTO event_resource_rows (rid, rkey, role, occurred, labels, pending) VALUES (?, ?, ?, ?, ?, 1)');
const indexRows = db.prepare(workerData.resourceIndex.sql.rows);
const saveUnindexedFrom = db.prepare(workerData.resourceIndex.sql.position);
const findKey = db.prepare('SELECT rkey FROM resource_keys WHERE resource_id = ?').pluck();
const insertKey = db.prepare('INSERT INTO resource_keys (resource_id) VALUES (?)');
const savePosition = db.prepare('UPDATE log_position SET last_seq = ? WHERE id = 1');
const oldestBelow = db.prepare('SELECT seq, occurred, event FROM events WHERE occurred < ? ORDER BY occurred LIMIT ?').raw();
const deleteEvent = db.prepare('DELETE FROM events WHERE seq = ?');
const deleteRows = db.prepare('DELETE FROM event_resource_rows WHERE rid >= ? AND rid < ? RETURNING rkey').pluck();
// Run with no rows pending (see purgeBatch): the partial index then holds every row.
const deleteUnusedKey = db.prepare('DELETE FROM resource_keys WHERE rkey = ? AND NOT EXISTS (SELECT 1 FROM event_resource_rows WHERE rkey = ? AND pending IS NULL)');
const addDayCount = db.prepare('INSERT INTO event_day_counts (day, event, count) VALUES (?, ?, ?) ON CONFLICT (day, event) DO UPDATE SET count = count + excluded.count');
const subtractDayCount = db.prepare('UPDATE event_day_counts SET count = count - ? WHERE day = ? AND event = ? RETURNING count').pluck();
const deleteDayCount = db.prepare('DELETE FROM event_day_counts WHERE day = ? AND event = ?');
const addMinuteCount = db.prepare('INSERT INTO event_minute_counts (minute, event, count) VALUES (?, ?, ?) ON CONFLICT (minute, event) DO UPDATE SET count = count + excluded.count');
const subtractMinuteCount = db.prepare('UPDATE event_minute_counts SET count = count - ? WHERE minute = ? AND event = ? RETURNING count').pluck();
const deleteMinuteCount = db.prepare('DELETE FROM event_minute_counts WHERE minute = ? AND event = ?');

// The log position survives retention: seq never goes back, even when the newest events are purged.
let lastSeq = Math.max(
  db.prepare('SELECT last_seq FROM log_position WHERE id = 1').pluck().get() ?? 0,
  db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get(),
);

// The deferred resource index (sqlite-resource-tail.ts): rows from this rid on are pending.
let unindexedFrom = db.prepare(workerData.resourceIndex.sql.read).pluck().get();

// The pending rows are the rids [unindexedFrom, pendingEnd()).
const pendingEnd = () => (lastSeq + 1) * 1024;
const tailIsFull = () => pendingEnd() - unindexedFrom >= workerData.resourceIndex.batchEvents * 1024;

// Indexes whatever is pending.
function indexPendingRows() {
  const end = pendingEnd();
  if (end <= unindexedFrom) return;
  indexRows.run(unindexedFrom, end);
  saveUnindexedFrom.run(end);
  unindexedFrom = end;
}

// resource id -> rkey. Cleared whenever a transaction rolls back or retention drops a key, so it
// never holds a key that is not in the table.
const keys = new Map();
const MAX_CACHED_KEYS = 200000;

function keyOf(resourceId) {
  let rkey = keys.get(resourceId);
  if (rkey !== undefined) return rkey;
  rkey = findKey.get(resourceId);
  if (rkey === undefined) rkey = Number(insertKey.run(resourceId).lastInsertRowid);
  if (keys.size >= MAX_CACHED_KEYS) keys.clear();
  keys.set(resourceId, rkey);
  return rkey;
}

// The rollups event_day_counts and event_minute_counts (see sqlite-event-counts.ts): events per (UTC
// day or minute, event name), changed in the transaction that inserts or deletes them. A tally collects
// one transaction's changes first (unit number -> event -> count), so each (day, event) and (minute,
// event) is written once per transaction.
const DAY = 86400000000;
const MINUTE = 60000000;

function unitOf(occurred, unit) {
  // floor(occurred / unit), exact even where the double division rounds up to a whole number.
  let n = Math.floor(occurred / unit);
  if (n * unit > occurred) n--;
  return n;
}

function newTally() {
  return { days: new Map(), minutes: new Map() };
}

function bump(units, unit, event) {
  let events = units.get(unit);
  if (events === undefined) units.set(unit, (events = new Map()));
  events.set(event, (events.get(event) || 0) + 1);
}

function tally(counts, occurred, event) {
  bump(counts.days, unitOf(occurred, DAY), event);
  bump(counts.minutes, unitOf(occurred, MINUTE), event);
}

function forEachCount(units, apply) {
  for (const [unit, events] of units) for (const [event, n] of events) apply(unit, event, n);
}

function addCounts(counts) {
  forEachCount(counts.days, (day, event, n) => addDayCount.run(day, event, n));
  forEachCount(counts.minutes, (minute, event, n) => addMinuteCount.run(minute, event, n));
}

function subtractCounts(counts) {
  forEachCount(counts.days, (day, event, n) => {
    if (subtractDayCount.get(n, day, event) === 0) deleteDayCount.run(day, event);
  });
  forEachCount(counts.minutes, (minute, event, n) => {
    if (subtractMinuteCount.get(n, minute, event) === 0) deleteMinuteCount.run(minute, event);
  });
}

function withoutReceived(json) {
  const at = json.lastIndexOf(',"received":');
  return at < 0 ? json : json.slice(0, at);
}

function canonical(value) {
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => JSON.stringify(k) + ':' + canonical(value[k]));
    return '{' + entries.join(',') + '}';
  }
  return JSON.stringify(value);
}

// Same content apart from received; key order does not count.
function sameContent(a, b) {
  if (withoutReceived(a) === withoutReceived(b)) return true;
  const x = JSON.parse(a);
  const y = JSON.parse(b);
  delete x.received;
  delete y.received;
  return canonical(x) === canonical(y);
}

function appendRows(rows, count, counts) {
  const results = new Uint8Array(count);
  const seqs = new Float64Array(count);
  let i = 0;
  for (let k = 0; k < count; k++) {
    const id = Buffer.from(rows[i], 'hex');
    const occurred = rows[i + 1];
    const json = rows[i + 5];
    const resources = rows[i + 6];
    const follows = rows[i + 7] === null ? null : Buffer.from(rows[i + 7], 'hex');
    const seq = lastSeq + 1;
    if (insertEvent.run(seq, id, occurred, rows[i + 2], rows[i + 3], rows[i + 4], json, follows).changes === 0) {
      results[k] = sameContent(storedJson.get(id), json) ? RESULT.duplicate : RESULT.conflict;
      i += 8 + resources * 3;
      continue;
    }
    lastSeq = seq;
    seqs[k] = seq;
    tally(counts, occurred, rows[i + 3]);
    i += 8;
    for (let position = 0; position < resources; position++, i += 3) {
      insertRow.run(seq * 1024 + position, keyOf(rows[i]), rows[i + 1], occurred, rows[i + 2]);
    }
  }
  return { results, seqs };
}

// Indexing a full tail takes about as long as a small append (4 to 15 ms on a 2-core machine). In the
// transaction whose rows fill the tail, it held back their acknowledgement: the latency tail at 5,000
// events/s. So the tail is indexed after that transaction's replies: at once when the writer would
// otherwise be idle (indexIdleTail), or else in the next append's transaction, which then shares one
// commit with it as before (a commit of its own cost 4 % of throughput under full load).
const appendInTransaction = db.transaction((jobs) => {
  if (tailIsFull()) indexPendingRows();
  const counts = newTally();
  const outcomes = jobs.map((job) => appendRows(job.rows, job.count, counts));
  addCounts(counts);
  savePosition.run(lastSeq);
  for (const outcome of outcomes) outcome.lastSeq = lastSeq;
  return outcomes;
});

function append(jobs) {
  const before = { lastSeq, unindexedFrom };
  try {
    return appendInTransaction.immediate(jobs);
  } catch (error) {
    ({ lastSeq, unindexedFrom } = before);
    keys.clear();
    throw error;
  }
}

const purgeInTransaction = db.transaction((cutoff, limit) => {
  indexPendingRows();
  const oldest = oldestBelow.all(cutoff, limit);
  const touched = new Set();
  const counts = newTally();
  for (const [seq, occurred, event] of oldest) {
    deleteEvent.run(seq);
    tally(counts, occurred, event);
    for (const rkey of deleteRows.all(seq * 1024, seq * 1024 + 1024)) touched.add(rkey);
  }
  subtractCounts(counts);
  let dropped = 0;
  for (const rkey of touched) dropped += deleteUnusedKey.run(rkey, rkey).changes;
  if (dropped > 0) keys.clear();
  return oldest.length;
});

function purgeBatch(cutoff, limit) {
  const before = unindexedFrom;
  try {
    return purgeInTransaction(cutoff, limit);
  } catch (error) {
    unindexedFrom = before;
    throw error;
  }
}

// Planner statistics: a first ANALYZE after workerData.analyzeAfterEvents events, then again whenever
// as many events have been appended as the table held at the last one (about each doubling).
// analysis_limit keeps a run to a few hundred ms even at millions of rows (175 ms at 1M).
function analyzedRows() {
  try {
    const stat = db.prepare("SELECT stat FROM sqlite_stat1 WHERE idx = 'events__occurred'").pluck().get();
    return stat === undefined ? 0 : parseInt(stat, 10);
  } catch {
    return 0; // no sqlite_stat1 yet
  }
}
let analyzedAtSeq = lastSeq;
let rowsAtAnalysis = analyzedRows();

function maybeAnalyze() {
  if (lastSeq - analyzedAtSeq < Math.max(workerData.analyzeAfterEvents, rowsAtAnalysis)) return;
  try {
    db.exec('PRAGMA analysis_limit = 1000; ANALYZE');
  } catch {
    // Statistics only steer plans; try again at the next milestone.
  }
  analyzedAtSeq = lastSeq;
  rowsAtAnalysis = analyzedRows();
  parentPort.postMessage({ analyzed: true });
}

const statements = new Map();
function run(sql, params) {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement.run(...params).changes;
}

// Several statements in one transaction: rows (as arrays) for row-returning ones, else changes.
const runTransaction = db.transaction((list) =>
  list.map(({ sql, params }) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement.reader ? statement.raw(true).all(...params) : statement.run(...params).changes;
  }),
);

function reply(id, value) {
  parentPort.postMessage({ id, ok: true, value });
}

function fail(id, error) {
  parentPort.postMessage({ id, ok: false, error: { message: String(error && error.message), code: error && error.code } });
}

function runAppends(jobs) {
  try {
    const outcomes = append(jobs);
    jobs.forEach((job, k) => reply(job.id, outcomes[k]));
  } catch (error) {
    if (jobs.length === 1) return fail(jobs[0].id, error);
    for (const job of jobs) {
      try {
        reply(job.id, append([job])[0]);
      } catch (single) {
        fail(job.id, single);
      }
    }
  }
}

const queue = [];
let scheduled = false;
let closed = false;

function schedule() {
  if (!scheduled && !closed) {
    scheduled = true;
    setImmediate(step);
  }
}

// The checkpointer (sqlite-checkpointer-source.ts) copies the WAL and reports its length; past
// workerData.wal.restartFrames the writer resets it between two transactions, copying what is left.
const walFrames = workerData.wal ? new Int32Array(workerData.wal.frames) : null;

// A RESTART waits for the readers of older snapshots through the busy handler, for up to busy_timeout
// (5 s): with a long query on a read thread, every append behind it would wait. Without the wait, a
// busy checkpoint answers busy = 1 at once, and the next append tries again.
const BUSY_TIMEOUT = db.pragma('busy_timeout', { simple: true });

function maybeRestartWal() {
  if (walFrames === null || Atomics.load(walFrames, 0) <= workerData.wal.restartFrames) return;
  db.pragma('busy_timeout = 0');
  try {
    const [{ busy }] = db.pragma('wal_checkpoint(RESTART)');
    if (busy === 0) Atomics.store(walFrames, 0, 0);
  } catch {
    // Interrupted: the next append tries again.
  } finally {
    db.pragma('busy_timeout = ' + BUSY_TIMEOUT);
  }
}

function drainPort() {
  for (let m = receiveMessageOnPort(parentPort); m !== undefined; m = receiveMessageOnPort(parentPort)) queue.push(m.message);
}

const indexInTransaction = db.transaction(indexPendingRows);

// Indexes a full tail when no append waits (see appendInTransaction). If that fails, the next append
// indexes it: the tail stays correct at any length, only longer to scan.
function indexIdleTail() {
  if (!tailIsFull() || queue.some((job) => job.op === 'append')) return;
  const before = unindexedFrom;
  try {
    indexInTransaction.immediate();
  } catch {
    unindexedFrom = before;
  }
}

function step() {
  scheduled = false;
  drainPort();
  const job = queue.shift();
  if (job === undefined) return;
  if (job.op === 'append') {
    const jobs = [job];
    let events = job.count;
    while (queue.length > 0 && queue[0].op === 'append' && events + queue[0].count <= MAX_EVENTS_PER_TRANSACTION) {
      events += queue[0].count;
      jobs.push(queue.shift());
    }
    runAppends(jobs);
    drainPort();
    indexIdleTail();
    maybeRestartWal();
    maybeAnalyze();
  } else if (job.op === 'purge') {
    try {
      const removed = purgeBatch(job.cutoff, job.batchSize);
      job.removed = (job.removed || 0) + removed;
      if (removed < job.batchSize) reply(job.id, job.removed);
      else queue.push(job);
    } catch (error) {
      fail(job.id, error);
    }
  } else if (job.op === 'run') {
    try {
      reply(job.id, run(job.sql, job.params));
    } catch (error) {
      fail(job.id, error);
    }
  } else if (job.op === 'transaction') {
    try {
      reply(job.id, runTransaction.immediate(job.statements));
    } catch (error) {
      fail(job.id, error);
    }
  } else if (job.op === 'close' && queue.length > 0) {
    // A purge still has batches to go: close after it.
    queue.push(job);
  } else if (job.op === 'close') {
    closed = true;
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      reply(job.id, null);
    } catch (error) {
      fail(job.id, error);
    }
    parentPort.close();
    return;
  } else {
    fail(job.id, new Error('unknown writer operation ' + job.op));
  }
  schedule();
}

parentPort.on('message', (message) => {
  queue.push(message);
  schedule();
});
parentPort.postMessage({ ready: true });
`;
