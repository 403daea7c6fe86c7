// Seeds a store with `count` catalogue events spread evenly over the last `days` days (with up to a
// second of jitter, so occurred is not strictly increasing), through the compiled store's `append`, in
// batches built as the ingest pipeline builds them: the SQLite store of a data directory, or with
// --database-url the PostgreSQL store (whose day partitions are then created as Herald creates them).
// The next batch is built while the store commits the previous one.
//
// Usage: node seed-store.mjs (--data-dir /tmp/x | --database-url postgres://…) [--count 1000000] [--days 30] [--batch 10000]
// Prints one JSON line: events, seconds, eventsPerSecond, since, until (ISO), resources (distinct primary
// resources named), sampleResourceIds (100 of them), bytes (database size).
import { parseArgs } from 'node:util';
import { openPostgresStorage } from '../../packages/server/dist/storage/postgres/index.js';
import { openSqliteStorage } from '../../packages/server/dist/storage/sqlite/index.js';
import { createCatalogue } from './catalogue.mjs';
import { buildRecords } from './event-records.mjs';

const { values: opt } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    count: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '30' },
    batch: { type: 'string', default: '10000' },
  },
});
const count = Number(opt.count);
const batch = Number(opt.batch);
const SAMPLE_SIZE = 100;
const RESOURCES_PER_EVENT = 0.2;

const untilMs = Date.now() - 1000;
const sinceMs = untilMs - Number(opt.days) * 86_400_000;
const stepMs = (untilMs - sinceMs) / count;
const occurredOf = (i) => Math.min(untilMs, sinceMs + i * stepMs + Math.random() * Math.min(1000, stepMs));

const resources = Math.max(1, Math.round(count * RESOURCES_PER_EVENT));
const next = createCatalogue({ resources });
const storage = opt['database-url']
  ? await openPostgresStorage({ url: opt['database-url'] })
  : await openSqliteStorage({ dataDir: opt['data-dir'] });
const started = performance.now();
const sample = [];
let pending = Promise.resolve();
for (let offset = 0; offset < count; offset += batch) {
  const size = Math.min(batch, count - offset);
  const records = buildRecords(next, size, { occurredOf: (i) => occurredOf(offset + i) });
  for (let j = 0; j < 10; j++) {
    const picked = records[Math.floor(Math.random() * size)].event.resource['prefect.resource.id'];
    if (sample.length < SAMPLE_SIZE) sample.push(picked);
    else sample[Math.floor(Math.random() * SAMPLE_SIZE)] = picked;
  }
  await pending;
  pending = storage.events.append(records).then((outcome) => {
    const inserted = outcome.results.filter((r) => r === 'inserted').length;
    if (inserted !== size) throw new Error(`append stored ${inserted} of ${size} events`);
  });
}
await pending;
const seconds = (performance.now() - started) / 1000;
const bytes = await storage.events.sizeBytes();
await storage.close();
process.stdout.write(
  JSON.stringify({
    events: count,
    seconds,
    eventsPerSecond: count / seconds,
    since: new Date(sinceMs).toISOString(),
    until: new Date(untilMs).toISOString(),
    resources,
    sampleResourceIds: sample,
    bytes,
  }) + '\n',
);
