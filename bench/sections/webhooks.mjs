// Section `webhooks`: durable webhook ingest on SQLite. Each request to /hooks/{slug} carries a JSON
// body of about 1.3 KB (two catalogue events) that a Jinja template turns into one event; a 204 means
// that event is committed. The same server then takes the same bodies, as event batches, on the raw
// `POST /api/events`, so both figures come from one run and one machine state.
import { meanCommitEvents } from '../lib/bench-context.mjs';
import { requestJson } from '../lib/http-client.mjs';
import { failedFigure, figure } from '../lib/report.mjs';
import { peakRssBytes, watchCpu } from '../lib/processes.mjs';
import { httpLoadArgs, usageNote } from './http-ingest.mjs';

const TARGET_REQUESTS_PER_SECOND = 10_000;
/** Each request's body: two catalogue events (≈ 1.3 KB of JSON). */
const BODY_EVENTS = 2;
/** Requests in flight: one event each, so group commit needs many to fill a transaction. */
const CONCURRENCY = 128;

/**
 * The benchmark's template: a typical dynamic one (fields from the body, a label from a header) that
 * keeps the id of the body's last event, so that the load generator's read-back check finds it.
 */
const TEMPLATE = `{
  "id": "{{ body[1].id }}",
  "occurred": "{{ body[0].occurred }}",
  "event": "webhook.{{ body[0].event }}",
  "resource": {{ body[0].resource | tojson }},
  "related": {{ body[0].related | tojson }},
  "payload": {"agent": "{{ headers['user-agent'] | default('none') }}", "second": {{ body[1].resource | tojson }}, "data": {{ body[0].payload | tojson }}}
}`;

function loadArgs(ctx, url, path) {
  const args = httpLoadArgs(ctx, url, ['--path', path, '--verify-every', '10']);
  const set = (flag, value) => (args[args.indexOf(flag) + 1] = String(value));
  set('--concurrency', CONCURRENCY);
  set('--batch', BODY_EVENTS);
  return args;
}

async function measure(ctx, url, pid, path) {
  const cpu = watchCpu(pid);
  const load = await ctx.runTool('http-load.mjs', loadArgs(ctx, url, path));
  return { load, usage: cpu.end(), requestsPerSecond: load.seconds > 0 ? load.requests / load.seconds : 0 };
}

/** Runs the section; resolves with its figures. */
export async function runWebhooksSection(ctx) {
  const figures = [];
  const server = await ctx.startHerald({ HERALD_DATA_DIR: ctx.tempDir('webhooks'), HERALD_WEBHOOK_RATE_LIMIT: '0' });
  try {
    const created = await requestJson(new URL('/api/webhooks', server.info.url), { method: 'POST', body: { name: 'bench', template: TEMPLATE } });
    if (created.status !== 201) throw new Error(`creating the webhook answered ${created.status}: ${JSON.stringify(created.json)}`);
    const hookPath = `/hooks/${created.json.slug}`;

    ctx.log(`webhooks: ${CONCURRENCY} connections, one templated event per request`);
    let hooks = null;
    try {
      hooks = await measure(ctx, server.info.url, server.pid, hookPath);
      // Read now: the histogram is cumulative, and the raw phase comes next.
      hooks.commitEvents = await meanCommitEvents(server.info.url);
    } catch (error) {
      figures.push(failedFigure('webhooks.sqlite', 'Webhook requests, SQLite', 'req/s', error, { op: '>=', value: TARGET_REQUESTS_PER_SECOND }));
    }
    ctx.log('webhooks: the same bodies on POST /api/events');
    let raw = null;
    try {
      raw = await measure(ctx, server.info.url, server.pid, '/api/events');
    } catch (error) {
      figures.push(failedFigure('webhooks.rawEvents', 'POST /api/events, same bodies', 'req/s', error));
    }
    if (raw) {
      figures.push(
        figure({
          id: 'webhooks.rawEvents',
          name: `POST /api/events, same bodies (${BODY_EVENTS} events each, ${CONCURRENCY} conns)`,
          value: raw.requestsPerSecond,
          unit: 'req/s',
          note: `${Math.round(raw.load.eventsPerSecond).toLocaleString('en-US')} events/s; p50 ${raw.load.p50.toFixed(1)} ms, p99 ${raw.load.p99.toFixed(1)} ms, ${raw.load.errors} errors; ${usageNote(raw.usage)}`,
          details: { load: raw.load, usage: raw.usage },
        }),
      );
    }
    if (hooks) {
      const { load } = hooks;
      figures.push(
        figure({
          id: 'webhooks.sqlite',
          name: `Webhook requests, SQLite (~1.3 KB templated JSON, ${CONCURRENCY} conns)`,
          value: hooks.requestsPerSecond,
          unit: 'req/s',
          target: { op: '>=', value: TARGET_REQUESTS_PER_SECOND },
          baseline: raw ? { name: 'POST /api/events requests', value: raw.requestsPerSecond } : null,
          note: `one durable event per request; p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms, ${load.errors} errors${load.firstError ? ` (${load.firstError.slice(0, 80)})` : ''}; ${load.verified} read back, ${load.unreadable} unreadable; ${usageNote(hooks.usage, hooks.commitEvents)}`,
          details: { load, usage: hooks.usage, peakRssBytes: peakRssBytes(server.pid) },
        }),
      );
      figures.push(
        figure({
          id: 'webhooks.unqueryable',
          name: 'Webhook events acknowledged but not queryable',
          value: load.unreadable,
          unit: 'events',
          target: { op: '<=', value: 0 },
          note: `${load.verified} acknowledged requests read back by event id at once`,
        }),
      );
    }
  } finally {
    await server.stop();
  }
  return figures;
}
