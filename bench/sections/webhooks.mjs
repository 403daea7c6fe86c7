// Section `webhooks`: durable webhook ingest on SQLite. wrk (`wrk-load.mjs`) keeps 128 connections
// busy; each request to /hooks/{slug} carries a fresh JSON body of about 1.4 KB (two catalogue-like
// events) that a Jinja template turns into one event, and a 204 means that event is committed. Beside
// the load, a light probe posts to the same webhook every 20 ms and reads each event back by id at once:
// acknowledged means queryable. Afterwards the stored webhook events must number at least the 2xx
// answers. The same wrk load then goes to the raw `POST /api/events` of the same server, and to a bare
// node:http server that only parses the body: both figures come from one run and one machine state.
import { meanCommitEvents } from '../lib/bench-context.mjs';
import { requestJson } from '../lib/http-client.mjs';
import { failedFigure, figure } from '../lib/report.mjs';
import { libScript, peakRssBytes, watchCpu } from '../lib/processes.mjs';
import { usageNote } from './http-ingest.mjs';

const TARGET_REQUESTS_PER_SECOND = 10_000;
const CONNECTIONS = 128;
const PROBE_INTERVAL_MS = 20;

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

function wrkArgs(ctx, url, path) {
  const { warmup, seconds } = ctx.phase;
  return ['--url', url, '--path', path, '--connections', String(CONNECTIONS), '--seconds', String(seconds), '--warmup', String(warmup)];
}

/** The probe: one connection, one catalogue body every 20 ms, each event read back by id at once. */
function probeArgs(ctx, url, path) {
  const { warmup, seconds } = ctx.phase;
  return [
    '--url',
    url,
    '--path',
    path,
    '--concurrency',
    '1',
    '--batch',
    '2',
    '--seconds',
    String(seconds),
    '--warmup',
    String(warmup),
    '--verify-every',
    '1',
    '--interval-ms',
    String(PROBE_INTERVAL_MS),
  ];
}

async function measure(ctx, url, pid, path, { probe }) {
  const cpu = watchCpu(pid);
  const [load, probed] = await Promise.all([
    ctx.runTool('wrk-load.mjs', wrkArgs(ctx, url, path)),
    probe ? ctx.runTool('http-load.mjs', probeArgs(ctx, url, path)) : null,
  ]);
  return { load, probe: probed, usage: cpu.end() };
}

async function countWebhookEvents(url) {
  const { status, json } = await requestJson(new URL('/api/events/filter', url), {
    method: 'POST',
    body: { filter: { event: { prefix: ['webhook.'] } }, limit: 0 },
  });
  if (status !== 200) throw new Error(`counting webhook events answered ${status}: ${JSON.stringify(json)}`);
  return json.total;
}

const latencyNote = (load) => `p50 ${load.p50?.toFixed(1)} ms, p99 ${load.p99?.toFixed(1)} ms, ${load.errors} errors`;

/** Runs the section; resolves with its figures. */
export async function runWebhooksSection(ctx) {
  const figures = [];
  const bare = await ctx.start(libScript('bare-server.mjs'));
  let bareLoad = null;
  try {
    ctx.log(`webhooks: bare node:http server, ${CONNECTIONS} connections`);
    bareLoad = await ctx.runTool('wrk-load.mjs', wrkArgs(ctx, bare.info.url, '/'));
  } catch (error) {
    figures.push(failedFigure('webhooks.bare', 'Bare node:http server, same wrk load', 'req/s', error));
  } finally {
    await bare.stop();
  }
  const server = await ctx.startHerald({ HERALD_DATA_DIR: ctx.tempDir('webhooks'), HERALD_WEBHOOK_RATE_LIMIT: '0' });
  try {
    const created = await requestJson(new URL('/api/webhooks', server.info.url), {
      method: 'POST',
      body: { name: 'bench', template: TEMPLATE },
    });
    if (created.status !== 201) throw new Error(`creating the webhook answered ${created.status}: ${JSON.stringify(created.json)}`);
    const hookPath = `/hooks/${created.json.slug}`;

    ctx.log(`webhooks: ${CONNECTIONS} connections, one templated event per request, with a read-back probe`);
    let hooks = null;
    try {
      hooks = await measure(ctx, server.info.url, server.pid, hookPath, { probe: true });
      // Read now: the histogram is cumulative, and the raw phase comes next.
      hooks.commitEvents = await meanCommitEvents(server.info.url);
      hooks.stored = await countWebhookEvents(server.info.url);
    } catch (error) {
      figures.push(
        failedFigure('webhooks.sqlite', 'Webhook requests, SQLite', 'req/s', error, { op: '>=', value: TARGET_REQUESTS_PER_SECOND }),
      );
    }
    ctx.log('webhooks: the same bodies on POST /api/events');
    let raw = null;
    try {
      raw = await measure(ctx, server.info.url, server.pid, '/api/events', { probe: false });
    } catch (error) {
      figures.push(failedFigure('webhooks.rawEvents', 'POST /api/events, same bodies', 'req/s', error));
    }
    if (bareLoad) {
      figures.push(
        figure({
          id: 'webhooks.bare',
          name: `Bare node:http server, same wrk load (${CONNECTIONS} conns)`,
          value: bareLoad.requestsPerSecond,
          unit: 'req/s',
          note: `JSON.parse of each body, no validation or storage: the ceiling of HTTP on this machine; ${latencyNote(bareLoad)}`,
          details: { load: bareLoad },
        }),
      );
    }
    if (raw) {
      figures.push(
        figure({
          id: 'webhooks.rawEvents',
          name: `POST /api/events, same bodies (2 events each, ${CONNECTIONS} conns)`,
          value: raw.load.requestsPerSecond,
          unit: 'req/s',
          baseline: bareLoad ? { name: 'bare node:http', value: bareLoad.requestsPerSecond } : null,
          note: `${Math.round(2 * raw.load.requestsPerSecond).toLocaleString('en-US')} events/s; ${latencyNote(raw.load)}; ${usageNote(raw.usage)}`,
          details: { load: raw.load, usage: raw.usage },
        }),
      );
    }
    if (hooks) {
      const { load, probe } = hooks;
      const probeAcked = probe.ackedEvents / 2;
      const missing = probe.unreadable + Math.max(0, load.acked + probeAcked - hooks.stored);
      figures.push(
        figure({
          id: 'webhooks.sqlite',
          name: `Webhook requests, SQLite (~1.4 KB templated JSON, ${CONNECTIONS} conns)`,
          value: load.requestsPerSecond,
          unit: 'req/s',
          target: { op: '>=', value: TARGET_REQUESTS_PER_SECOND },
          baseline: raw ? { name: 'POST /api/events requests', value: raw.load.requestsPerSecond } : null,
          note: `one durable event per request; ${latencyNote(load)}; ${usageNote(hooks.usage, hooks.commitEvents)}`,
          details: { load, probe, usage: hooks.usage, peakRssBytes: peakRssBytes(server.pid) },
        }),
      );
      figures.push(
        figure({
          id: 'webhooks.unqueryable',
          name: 'Webhook events acknowledged but not queryable',
          value: missing,
          unit: 'events',
          target: { op: '<=', value: 0 },
          note: `probe: ${probe.verified} read back by id at once, ${probe.unreadable} unreadable; ${hooks.stored.toLocaleString('en-US')} webhook events stored ≥ ${(load.acked + probeAcked).toLocaleString('en-US')} acknowledged`,
          details: { verified: probe.verified, unreadable: probe.unreadable, stored: hooks.stored, acked: load.acked + probeAcked },
        }),
      );
    }
  } finally {
    await server.stop();
  }
  return figures;
}
