// Section `queries`: query latency over HTTP on a store holding 1,000,000 events (100,000 with --quick)
// spread over 30 days with about 200k distinct primary resources. The store is seeded through the
// compiled SQLite store, then a Herald server is started on that data directory. Each query is warmed
// up, then repeated (50 times; 20 with --quick) and its answers are checked, so a fast wrong answer
// cannot pass. Targets are judged on p95.
import { requestJson } from '../lib/http-client.mjs';
import { failedFigure, figure } from '../lib/report.mjs';
import { libScript, runProcess } from '../lib/processes.mjs';
import { summarize } from '../lib/stats.mjs';

const WARMUP_REPS = 5;
const PAGE_SIZE = 50;
const PAGE_DEPTH = 100;
const PREFIX = 'prefect.flow-run.';
const SEED_TIMEOUT_MS = 15 * 60_000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Repeats `once(i)` (which resolves with its time in ms) after a warm-up, within the time budget. */
async function repeat(ctx, once) {
  for (let i = 0; i < WARMUP_REPS; i++) await once(i);
  const times = [];
  const until = performance.now() + ctx.phase.queryBudgetMs;
  for (let i = 0; i < ctx.phase.queryReps && performance.now() < until; i++) times.push(await once(i));
  return summarize(times);
}

function queryFigure(ctx, { id, name, stats, targetMs, note }) {
  const short = stats.n < ctx.phase.queryReps ? ` (only ${stats.n} reps within the time budget)` : '';
  return figure({
    id,
    name,
    value: stats.p95,
    unit: 'ms',
    target: { op: '<=', value: targetMs },
    note: `p50 ${stats.p50.toFixed(2)} ms, p95 over ${stats.n} reps${short}${note ? `; ${note}` : ''}`,
    details: { stats },
  });
}

async function postJson(url, path, body) {
  const answer = await requestJson(new URL(path, url), { method: 'POST', body });
  check(answer.status === 200, `${path} answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 300)}`);
  return answer;
}

async function newestByPrefix(ctx, url, occurred) {
  let total = 0;
  const stats = await repeat(ctx, async () => {
    const { json, ms } = await postJson(url, '/api/events/filter', { filter: { occurred, event: { prefix: [PREFIX] } }, limit: PAGE_SIZE });
    check(json.events.length === PAGE_SIZE && json.events.every((e) => e.event.startsWith(PREFIX)), 'prefix query returned wrong events');
    check(
      json.events.every((e, i) => i === 0 || e.occurred <= json.events[i - 1].occurred),
      'prefix query is not newest first',
    );
    total = json.total;
    return ms;
  });
  return queryFigure(ctx, {
    id: 'queries.prefix',
    name: `Newest 50 with event prefix ${PREFIX}`,
    stats,
    targetMs: 20,
    note: `total ${total.toLocaleString('en-US')} matching`,
  });
}

async function newestForResource(ctx, url, occurred, resourceIds) {
  const stats = await repeat(ctx, async (i) => {
    const id = resourceIds[i % resourceIds.length];
    const { json, ms } = await postJson(url, '/api/events/filter', { filter: { occurred, resource: { id: [id] } }, limit: PAGE_SIZE });
    check(
      json.events.length > 0 && json.events.every((e) => e.resource['prefect.resource.id'] === id),
      `resource query for ${id} returned wrong events`,
    );
    return ms;
  });
  return queryFigure(ctx, {
    id: 'queries.resource',
    name: 'Newest 50 for one resource id',
    stats,
    targetMs: 20,
    note: `${resourceIds.length} different resources in turn`,
  });
}

async function countByDay(ctx, url, occurred, expected) {
  let buckets = 0;
  const stats = await repeat(ctx, async () => {
    const { json, ms } = await postJson(url, '/api/events/count-by/day', { filter: { occurred } });
    const sum = json.reduce((a, row) => a + row.count, 0);
    check(sum === expected, `count-by day summed to ${sum}, expected ${expected}`);
    buckets = json.length;
    return ms;
  });
  return queryFigure(ctx, {
    id: 'queries.countByDay',
    name: 'Count by day over the whole range',
    stats,
    targetMs: 300,
    note: `${buckets} day buckets`,
  });
}

async function deepPage(ctx, url, occurred) {
  // Walk to page 100 once, checking that pages neither overlap nor skip, then time page 100 itself.
  const seen = new Set();
  let answer = await postJson(url, '/api/events/filter', { filter: { occurred }, limit: PAGE_SIZE });
  const walk = [];
  let pageUrl = null;
  for (let page = 1; page <= PAGE_DEPTH; page++) {
    for (const event of answer.json.events) seen.add(event.id);
    check(seen.size === page * PAGE_SIZE, `pages overlap or are short at page ${page}`);
    if (page === PAGE_DEPTH) break;
    pageUrl = answer.json.next_page;
    check(typeof pageUrl === 'string', `no next_page after page ${page}`);
    answer = await requestJson(pageUrl);
    check(answer.status === 200, `filter/next answered ${answer.status}`);
    walk.push(answer.ms);
  }
  const firstIds = answer.json.events.map((e) => e.id).join();
  const stats = await repeat(ctx, async () => {
    const { status, json, ms } = await requestJson(pageUrl);
    check(status === 200 && json.events.map((e) => e.id).join() === firstIds, 'page 100 changed between repetitions');
    return ms;
  });
  const walkStats = summarize(walk);
  return queryFigure(ctx, {
    id: 'queries.page100',
    name: 'Page 100 (50 per page) through filter/next',
    stats,
    targetMs: 20,
    note: `the walk to it: p50 ${walkStats.p50.toFixed(2)} ms, max ${walkStats.max.toFixed(2)} ms per page`,
  });
}

/** Runs the section; resolves with its figures. */
export async function runQueriesSection(ctx) {
  const figures = [];
  const dataDir = ctx.tempDir('queries');
  const count = ctx.phase.seedEvents;
  ctx.log(`queries: seeding ${count.toLocaleString('en-US')} events over 30 days`);
  let seed;
  try {
    seed = await runProcess(libScript('seed-store.mjs'), ['--data-dir', dataDir, '--count', String(count)], { timeoutMs: SEED_TIMEOUT_MS });
  } catch (error) {
    return [failedFigure('queries.seed', 'Seeding the query store', 'events/s', error)];
  }
  figures.push(
    figure({
      id: 'queries.seed',
      name: `Seeding ${count.toLocaleString('en-US')} events (store append, 10k batches)`,
      value: seed.eventsPerSecond,
      unit: 'events/s',
      note: `${seed.seconds.toFixed(0)} s, ${(seed.bytes / 2 ** 30).toFixed(2)} GiB on disk, ${seed.resources.toLocaleString('en-US')} primary resources, ${seed.since} → ${seed.until}`,
      details: { ...seed, sampleResourceIds: undefined },
    }),
  );

  ctx.log('queries: measuring over HTTP');
  const server = await ctx.startHerald({ HERALD_DATA_DIR: dataDir, HERALD_RETENTION: '3650d' });
  const url = server.info.url;
  const occurred = { since: seed.since, until: new Date().toISOString() };
  const measures = [
    ['queries.prefix', `Newest 50 with event prefix ${PREFIX}`, 20, () => newestByPrefix(ctx, url, occurred)],
    ['queries.resource', 'Newest 50 for one resource id', 20, () => newestForResource(ctx, url, occurred, seed.sampleResourceIds)],
    ['queries.countByDay', 'Count by day over the whole range', 300, () => countByDay(ctx, url, occurred, seed.events)],
    ['queries.page100', 'Page 100 (50 per page) through filter/next', 20, () => deepPage(ctx, url, occurred)],
  ];
  try {
    for (const [id, name, targetMs, measure] of measures) {
      try {
        figures.push(await measure());
      } catch (error) {
        figures.push(failedFigure(id, name, 'ms', error, { op: '<=', value: targetMs }));
      }
    }
  } finally {
    await server.stop();
  }
  return figures;
}
