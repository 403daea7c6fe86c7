// Baseline: a raw `pg` multi-row INSERT of the same events into Herald's PostgreSQL schema. The database
// (fresh, given by --url) is migrated with Herald's `migratePostgres`, and today's day partitions are
// created as Herald would, so rows land where Herald's own appends put them. Each transaction inserts
// `batch` events as multi-row `INSERT … VALUES` statements of `statement` events each (events, then
// their event_resources rows), on one connection. Rows are built outside the timed part; the timed part
// is BEGIN … COMMIT, parameter encoding included.
//
// Usage: node raw-postgres.mjs --url postgres://… [--count 250000] [--seconds 10] [--batch 5000] [--statement 1000] [--ids v7|v4]
// Prints one JSON line: events, transactions, dbSeconds, eventsPerSecond, stored (rows counted after), inDefault.
import pg from 'pg';
import { parseArgs } from 'node:util';
import { migratePostgres } from '../../packages/server/dist/storage/postgres/index.js';
import { PostgresDatabase } from '../../packages/server/dist/storage/postgres/postgres-database.js';
import { DEFAULT_PARTITION_WINDOW, PostgresPartitions } from '../../packages/server/dist/storage/postgres/postgres-partitions.js';
import { toColumns } from '../../packages/server/dist/storage/postgres/event-rows.js';
import { createCatalogue } from './catalogue.mjs';
import { buildRecords } from './event-records.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    count: { type: 'string', default: '250000' },
    seconds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '5000' },
    statement: { type: 'string', default: '1000' },
    ids: { type: 'string', default: 'v7' },
  },
});
const count = Number(opt.count);
const budgetMs = Number(opt.seconds) * 1000;
const batch = Number(opt.batch);
const perStatement = Number(opt.statement);

const herald = new PostgresDatabase({ url: opt.url, maxConnections: 2 });
await migratePostgres(herald);
const partitions = new PostgresPartitions(herald, { window: DEFAULT_PARTITION_WINDOW, now: () => Date.now() * 1000 });
await partitions.load();
// Today and tomorrow (a run that crosses midnight UTC).
await partitions.ensureFor([Date.now() * 1000, (Date.now() + 86_400_000) * 1000]);
await herald.end();

/** `($1,$2,…),($8,…)` for `rows` rows of `width` parameters. */
function placeholders(rows, width) {
  const tuples = [];
  for (let r = 0; r < rows; r++) tuples.push('(' + Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(',') + ')');
  return tuples.join(',');
}

function interleave(columns, length) {
  const params = [];
  for (let r = 0; r < length; r++) for (const column of columns) params.push(column[r]);
  return params;
}

/** The INSERT statements of one transaction, built before it is timed. */
function statementsFor(records, firstSeq) {
  const statements = [];
  for (let start = 0; start < records.length; start += perStatement) {
    const slice = records.slice(start, start + perStatement);
    const { events, resources } = toColumns(
      slice,
      slice.map((_, k) => firstSeq + start + k),
    );
    statements.push({
      text: `INSERT INTO events (seq, id, occurred, received, event, resource_id, json, follows) VALUES ${placeholders(slice.length, 8)}`,
      values: interleave(
        [events.seq, events.id, events.occurred, events.received, events.event, events.resourceId, events.json, events.follows],
        slice.length,
      ),
    });
    statements.push({
      text: `INSERT INTO event_resources (seq, position, resource_id, role, occurred, labels) VALUES ${placeholders(resources.seq.length, 6)}`,
      values: interleave(
        [resources.seq, resources.position, resources.resourceId, resources.role, resources.occurred, resources.labels],
        resources.seq.length,
      ),
    });
  }
  return statements;
}

const client = new pg.Client({ connectionString: opt.url });
await client.connect();
const next = createCatalogue({ seed: process.pid, idKind: opt.ids });
let events = 0;
let transactions = 0;
let dbMs = 0;
while (events < count && dbMs < budgetMs) {
  const size = Math.min(batch, count - events);
  const statements = statementsFor(buildRecords(next, size), events + 1);
  const t0 = performance.now();
  await client.query('BEGIN');
  for (const statement of statements) await client.query(statement);
  await client.query('COMMIT');
  dbMs += performance.now() - t0;
  events += size;
  transactions++;
}
const { rows } = await client.query(
  'SELECT (SELECT count(*)::int FROM events) AS stored, (SELECT count(*)::int FROM events_default) AS "inDefault"',
);
await client.end();
process.stdout.write(
  JSON.stringify({ events, transactions, dbSeconds: dbMs / 1000, eventsPerSecond: events / (dbMs / 1000), ...rows[0] }) + '\n',
);
