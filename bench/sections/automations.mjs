// Section `automations`: the whole automation path on a real server (SQLite), measured at a local
// HTTP receiver.
// - Reactive latency: events posted at 1,000 events/s (10 every 10 ms, open loop), all evaluated by
//   the engine; one in FIRE_EVERY makes a threshold-1 automation fire, and its call-webhook sends the
//   event id to the receiver. Latency is from starting the POST to the webhook request arriving (so it
//   includes the ack, the engine commit, the stored `herald.automation.triggered` event, the HTTP call).
//   Each firing costs about 3 ms of server CPU (two more stored events, a rendered template, an HTTP
//   call, three commits), so a run where every event fired would measure CPU saturation on a small
//   machine rather than latency; an informational run where every event fires reports that limit.
// - Proactive precision: one proactive automation (`after` started, `expect` heartbeat, within 10 s,
//   for_each resource); 20 resources start 250 ms apart and never beat. For each, the delay from its
//   window closing (started.occurred + 10 s) to its webhook request arriving.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { requestJson } from '../lib/http-client.mjs';
import { watchCpu } from '../lib/processes.mjs';
import { failedFigure, figure } from '../lib/report.mjs';
import { summarize } from '../lib/stats.mjs';
import { usageNote } from './http-ingest.mjs';

const RATE = 1000;
const BATCH = 10;
const FIRE_EVERY = 20;
const TARGET_REACTIVE_P99_MS = 100;
const TARGET_PROACTIVE_MS = 1000;
const PROACTIVE_RESOURCES = 20;
const PROACTIVE_WITHIN_S = 10;
const REACTIVE_NAME = 'Reactive: POST → call-webhook arrival p99 at 1,000 events/s (50 firings/s)';
const PROACTIVE_NAME = 'Proactive: window close → call-webhook arrival, worst';

/** A receiver that records when each body arrived (ms, performance.now of this process). */
async function startReceiver() {
  const arrivals = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      arrivals.set(Buffer.concat(chunks).toString('utf8'), { at: performance.now(), wall: Date.now() });
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, arrivals, close: () => new Promise((r) => server.close(r)) };
}

async function post(url, path, body) {
  const res = await requestJson(new URL(path, url), { method: 'POST', body });
  if (res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json;
}

/** Posts with a fresh connection per request so that paced POSTs never queue behind each other. */
function postEvents(url, events) {
  return fetch(new URL('/api/events', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  }).then(async (r) => {
    await r.arrayBuffer();
    if (r.status !== 204) throw new Error(`POST /api/events answered ${r.status}`);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function reactive(ctx, url, connection, receiver, fireEvery, prefix) {
  await post(url, '/api/automations/', {
    name: `bench reactive ${prefix}`,
    trigger: {
      type: 'event',
      match: { 'prefect.resource.id': `${prefix}.*` },
      expect: [`${prefix}.tick`],
      posture: 'Reactive',
      threshold: 1,
      within: 0,
    },
    actions: [{ type: 'call-webhook', block_document_id: connection, payload: '{{ event.id }}' }],
  });
  const { warmup, seconds } = ctx.phase;
  const sent = new Map();
  const errors = [];
  const start = performance.now();
  const total = Math.round((warmup + seconds) * RATE);
  const posts = [];
  let maxLag = 0;
  for (let i = 0; i * BATCH < total; i++) {
    const due = start + (i * BATCH * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    maxLag = Math.max(maxLag, performance.now() - due);
    const events = Array.from({ length: BATCH }, (_, k) => ({
      id: randomUUID(),
      occurred: new Date().toISOString(),
      event: (i * BATCH + k) % fireEvery === 0 ? `${prefix}.tick` : `${prefix}.noise`,
      resource: { 'prefect.resource.id': `${prefix}.${k}` },
    }));
    const t = performance.now();
    const measured = t - start >= warmup * 1000;
    for (const e of events) if (e.event === `${prefix}.tick`) sent.set(e.id, { t, measured });
    posts.push(postEvents(url, events).catch((error) => errors.push(String(error))));
  }
  await Promise.all(posts);
  // Wait for the stragglers: until every measured event arrived, or 30 s without progress.
  const arrived = () => {
    let n = 0;
    for (const id of sent.keys()) if (receiver.arrivals.has(id)) n++;
    return n;
  };
  let last = -1;
  for (let idle = 0, n = arrived(); idle < 300 && n < sent.size; n = arrived()) {
    await sleep(100);
    idle = n === last ? idle + 1 : 0;
    last = n;
  }
  const latencies = [];
  let missing = 0;
  for (const [id, s] of sent) {
    if (!s.measured) continue;
    const arrival = receiver.arrivals.get(id);
    if (arrival) latencies.push(arrival.at - s.t);
    else missing++;
  }
  return { latency: summarize(latencies), missing, errors: errors.length, firstError: errors[0] ?? null, posterMaxLagMs: maxLag };
}

async function proactive(url, connection, receiver) {
  await post(url, '/api/automations/', {
    name: 'bench proactive',
    trigger: {
      type: 'event',
      match: { 'prefect.resource.id': 'bench.proactive.*' },
      after: ['bench.proactive.started'],
      expect: ['bench.proactive.heartbeat'],
      for_each: ['prefect.resource.id'],
      posture: 'Proactive',
      threshold: 1,
      within: PROACTIVE_WITHIN_S,
    },
    actions: [{ type: 'call-webhook', block_document_id: connection, payload: "proactive {{ labels['prefect.resource.id'] }}" }],
  });
  const closes = new Map();
  for (let i = 0; i < PROACTIVE_RESOURCES; i++) {
    const resource = `bench.proactive.${i}`;
    const occurred = Date.now();
    closes.set(`proactive ${resource}`, occurred + PROACTIVE_WITHIN_S * 1000);
    await postEvents(url, [
      {
        id: randomUUID(),
        occurred: new Date(occurred).toISOString(),
        event: 'bench.proactive.started',
        resource: { 'prefect.resource.id': resource },
      },
    ]);
    await sleep(250);
  }
  const deadline = Math.max(...closes.values()) + 15_000;
  while (Date.now() < deadline && [...closes.keys()].some((k) => !receiver.arrivals.has(k))) await sleep(100);
  const delays = [];
  let missing = 0;
  for (const [key, close] of closes) {
    const arrival = receiver.arrivals.get(key);
    if (arrival) delays.push(arrival.wall - close);
    else missing++;
  }
  return { delay: summarize(delays), early: delays.filter((d) => d < 0).length, missing };
}

/** Runs the section; resolves with its figures. */
export async function runAutomationsSection(ctx) {
  ctx.log('automations: reactive latency and proactive precision through a local receiver');
  const figures = [];
  try {
    const receiver = await startReceiver();
    ctx.defer(() => receiver.close());
    const server = await ctx.startHerald({
      HERALD_DATA_DIR: ctx.tempDir('automations'),
      HERALD_ALLOW_PRIVATE_NETWORKS: 'true',
      HERALD_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    try {
      const url = server.info.url;
      const connection = (
        await post(url, '/api/connections', {
          name: 'bench receiver',
          kind: 'webhook',
          settings: { method: 'POST' },
          secrets: { url: `${receiver.url}/hook` },
        })
      ).id;
      const cpu = watchCpu(server.pid);
      const r = await reactive(ctx, url, connection, receiver, FIRE_EVERY, 'bench.latency');
      const usage = cpu.end();
      figures.push(
        figure({
          id: 'automations.reactive.p99',
          name: REACTIVE_NAME,
          value: r.latency.p99,
          unit: 'ms',
          target: { op: '<=', value: TARGET_REACTIVE_P99_MS },
          note: `p50 ${r.latency.p50?.toFixed(1)} ms, p95 ${r.latency.p95?.toFixed(1)} ms, max ${r.latency.max?.toFixed(1)} ms; ${r.latency.n.toLocaleString('en-US')} webhooks measured, ${r.missing} missing, ${r.errors} POST errors; poster lag ≤ ${r.posterMaxLagMs.toFixed(1)} ms; ${usageNote(usage)}`,
          details: { ...r, usage },
        }),
        figure({
          id: 'automations.reactive.missing',
          name: 'Reactive run: events whose webhook never arrived',
          value: r.missing,
          unit: 'events',
          target: { op: '<=', value: 0 },
        }),
      );
      // Informational: every event fires, so the run shows where the firing rate saturates the server.
      const all = await reactive(ctx, url, connection, receiver, 1, 'bench.saturation');
      const seconds = ctx.phase.warmup + ctx.phase.seconds;
      figures.push(
        figure({
          id: 'automations.reactive.all-fire.p99',
          name: 'Reactive, every event fires (1,000 firings/s): p99',
          value: all.latency.p99,
          unit: 'ms',
          note: `p50 ${all.latency.p50?.toFixed(1)} ms; ${all.latency.n.toLocaleString('en-US')} webhooks measured (${Math.round(all.latency.n / ctx.phase.seconds)}/s offered for ${seconds} s), ${all.missing} missing; a backlog here means the firing rate exceeds what the server sustains on this machine`,
          details: all,
        }),
      );
      const p = await proactive(url, connection, receiver);
      figures.push(
        figure({
          id: 'automations.proactive.worst',
          name: PROACTIVE_NAME,
          value: p.delay.max,
          unit: 'ms',
          target: { op: '<=', value: TARGET_PROACTIVE_MS },
          note: `median ${p.delay.p50?.toFixed(0)} ms over ${p.delay.n} windows of ${PROACTIVE_WITHIN_S} s; ${p.early} early, ${p.missing} missing`,
          details: p,
        }),
        figure({
          id: 'automations.proactive.median',
          name: 'Proactive: window close → call-webhook arrival, median',
          value: p.delay.p50,
          unit: 'ms',
          target: { op: '<=', value: TARGET_PROACTIVE_MS },
        }),
      );
    } finally {
      await server.stop();
    }
  } catch (error) {
    if (figures.length === 0)
      figures.push(failedFigure('automations.reactive.p99', REACTIVE_NAME, 'ms', error, { op: '<=', value: TARGET_REACTIVE_P99_MS }));
    figures.push(failedFigure('automations.proactive.worst', PROACTIVE_NAME, 'ms', error, { op: '<=', value: TARGET_PROACTIVE_MS }));
  }
  return figures;
}
