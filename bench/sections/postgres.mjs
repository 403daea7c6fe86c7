// Section `postgres`: durable HTTP ingest with the PostgreSQL store (a fresh `herald_bench_*` database,
// dropped afterwards), against a raw `pg` multi-row INSERT of the same events into Herald's PostgreSQL
// schema (another fresh database), measured in the same run. No target: reported for comparison. A full
// run also measures ingest into a database that already holds 30 days of day partitions, as a store
// in service does (a fresh database has one).
import { failedFigure, figure } from '../lib/report.mjs';
import { libScript, runProcess } from '../lib/processes.mjs';
import { createBenchDatabase } from '../lib/temp-postgres.mjs';
import { ingestCheckFigures, measureHeraldHttpIngest, usageNote } from './http-ingest.mjs';

const RAW_SECONDS = 10;
const NAME = 'HTTP ingest, PostgreSQL (16 conns × 50 events)';
const AGED_DAYS = 30;
const AGED_NAME = `HTTP ingest, PostgreSQL with ${AGED_DAYS} days of partitions`;

async function withDatabase(ctx, fn) {
  const database = await createBenchDatabase();
  ctx.defer(() => database.drop());
  try {
    return await fn(database.url);
  } finally {
    await database.drop().catch((error) => ctx.log(`dropping ${database.name} failed: ${error.message}`));
  }
}

/** Runs the section; resolves with its figures. */
export async function runPostgresSection(ctx) {
  ctx.log('postgres: Herald on PostgreSQL');
  let herald;
  try {
    herald = await withDatabase(ctx, (url) =>
      measureHeraldHttpIngest(ctx, { env: { HERALD_DATA_DIR: ctx.tempDir('pg'), HERALD_DATABASE_URL: url } }),
    );
  } catch (error) {
    return [failedFigure('postgres.ingest', NAME, 'events/s', error)];
  }
  const { load } = herald;
  ctx.log(`postgres: raw pg multi-row INSERT of ${load.ackedEvents} events`);
  let raw = null;
  let rawError = null;
  try {
    const count = String(Math.max(load.ackedEvents, 10_000));
    raw = await withDatabase(ctx, (url) =>
      ctx.runTool('raw-postgres.mjs', ['--url', url, '--count', count, '--seconds', String(RAW_SECONDS)]),
    );
  } catch (error) {
    rawError = error;
  }
  const figures = [
    figure({
      id: 'postgres.ingest',
      name: NAME,
      value: load.eventsPerSecond,
      unit: 'events/s',
      baseline: raw ? { name: 'raw pg INSERT', value: raw.eventsPerSecond } : null,
      note:
        `p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms per request, ${load.errors} errors; ${usageNote(herald.usage, herald.commitEvents)}` +
        (raw
          ? `; raw: ${raw.events.toLocaleString('en-US')} events, ${raw.transactions} transactions of ≤ 5,000, statements of 1,000, ${raw.dbSeconds.toFixed(1)} s`
          : `; raw baseline failed: ${rawError}`),
      details: { load, usage: herald.usage, commitEvents: herald.commitEvents, raw, firstError: load.firstError },
    }),
    ...ingestCheckFigures('postgres', 'PostgreSQL ingest', herald),
  ];
  if (!ctx.quick) figures.push(await measureAged(ctx, load.eventsPerSecond));
  return figures;
}

/** Ingest into a database whose first {@link AGED_DAYS} days already have their partitions (1,000 events each). */
async function measureAged(ctx, freshEventsPerSecond) {
  ctx.log(`postgres: Herald on PostgreSQL with ${AGED_DAYS} days of partitions`);
  try {
    const aged = await withDatabase(ctx, async (url) => {
      const args = ['--database-url', url, '--count', String(AGED_DAYS * 1000), '--days', String(AGED_DAYS), '--batch', '1000'];
      await runProcess(libScript('seed-store.mjs'), args, { timeoutMs: 120_000 });
      return measureHeraldHttpIngest(ctx, { env: { HERALD_DATA_DIR: ctx.tempDir('pg-aged'), HERALD_DATABASE_URL: url } });
    });
    return figure({
      id: 'postgres.ingestAged',
      name: AGED_NAME,
      value: aged.load.eventsPerSecond,
      unit: 'events/s',
      baseline: { name: 'fresh database', value: freshEventsPerSecond },
      note: `p99 ${aged.load.p99.toFixed(1)} ms per request, ${aged.load.errors} errors; ${usageNote(aged.usage, aged.commitEvents)}`,
      details: { load: aged.load, usage: aged.usage, commitEvents: aged.commitEvents },
    });
  } catch (error) {
    return failedFigure('postgres.ingestAged', AGED_NAME, 'events/s', error);
  }
}
