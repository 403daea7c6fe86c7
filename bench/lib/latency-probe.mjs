// End-to-end latency: a paced poster sends `batch` events every `batch / rate` seconds with
// `POST /api/events` (open loop: it does not wait for answers), and a subscriber on `/api/events/out`
// records, for each event, its arrival time minus the time its POST was sent. The send time travels in
// the event's payload (`payload.bench_sent_at`, this process's `performance.now()`), so both ends read
// the same clock. Before pacing starts, one sync event proves the subscription is live. Events sent
// during the warm-up are not counted.
//
// With --subscribe-url, the subscriber connects to that server instead (another replica of the same
// deployment), so the figure includes the trip between replicas.
//
// Usage: node latency-probe.mjs --url http://127.0.0.1:4200 [--subscribe-url URL] [--rate 5000] [--batch 50] [--seconds 10] [--warmup 1]
// Prints one JSON line: sent, delivered, dropped, postErrors, latency {n,p50,p95,p99,max,mean} (ms),
// achievedRate (events/s posted in the measured window), posterMaxLagMs, firstError.
import http from 'node:http';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { createCatalogue } from './catalogue.mjs';
import { summarize } from './stats.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    'subscribe-url': { type: 'string' },
    rate: { type: 'string', default: '5000' },
    batch: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
  },
});
const batch = Number(opt.batch);
const intervalMs = (batch / Number(opt.rate)) * 1000;
const SYNC_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 5_000;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const next = createCatalogue({ seed: process.pid });
let postErrors = 0;
let firstError = null;

function post(events) {
  const body = JSON.stringify(events);
  return new Promise((resolve) => {
    const req = http.request(
      new URL('/api/events', opt.url),
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 204) {
            postErrors++;
            firstError ??= `POST answered ${res.statusCode}`;
          }
          resolve(res.statusCode === 204);
        });
      },
    );
    req.on('error', (error) => {
      postErrors++;
      firstError ??= String(error.message);
      resolve(false);
    });
    req.end(body);
  });
}

// The subscriber.
const ws = new WebSocket((opt['subscribe-url'] ?? opt.url).replace(/^http/, 'ws') + '/api/events/out?notices=true', 'prefect');
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
ws.on('error', (error) => (firstError ??= String(error.message)));
ws.send(JSON.stringify({ type: 'auth', token: null }));
const hello = await new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
if (hello.type !== 'auth_success') throw new Error(`handshake failed: ${JSON.stringify(hello)}`);
ws.send(JSON.stringify({ type: 'filter', filter: {}, backfill: false }));

let measureFrom = Infinity;
let delivered = 0;
let dropped = 0;
let onSync = () => {};
let onDrained = () => {};
let expected = Infinity;
const latencies = [];
ws.on('message', (data) => {
  const arrived = performance.now();
  const message = JSON.parse(data.toString());
  if (message.type === 'dropped') {
    dropped += message.count;
    return;
  }
  const payload = message.event?.payload;
  if (payload?.bench_sync) return onSync();
  if (typeof payload?.bench_sent_at !== 'number') return;
  if (payload.bench_sent_at >= measureFrom) {
    latencies.push(arrived - payload.bench_sent_at);
    delivered++;
  }
  if (delivered + dropped >= expected) onDrained();
});
ws.on('close', () => onDrained());

// Prove the subscription is live before pacing.
const synced = new Promise((resolve) => (onSync = resolve));
const sync = next();
sync.payload = { bench_sync: true };
await post([sync]);
await Promise.race([
  synced,
  new Promise((_, reject) => setTimeout(() => reject(new Error('the sync event never arrived on /api/events/out')), SYNC_TIMEOUT_MS)),
]);

// The paced poster: batch k is due at start + k * interval; late batches go out at once.
const start = performance.now();
measureFrom = start + Number(opt.warmup) * 1000;
const end = measureFrom + Number(opt.seconds) * 1000;
let measuredSent = 0;
let measuredFailed = 0;
let posterMaxLagMs = 0;
const inFlight = new Set();
await new Promise((resolve) => {
  let k = 0;
  const tick = () => {
    const now = performance.now();
    for (let due = start + k * intervalMs; due <= now && due < end; due = start + ++k * intervalMs) {
      posterMaxLagMs = Math.max(posterMaxLagMs, now - due);
      const events = Array.from({ length: batch }, () => next());
      const sentAt = performance.now();
      for (const event of events) event.payload = { ...event.payload, bench_sent_at: sentAt };
      const measured = sentAt >= measureFrom;
      if (measured) measuredSent += batch;
      const request = post(events).then((ok) => {
        if (!ok && measured) measuredFailed += batch;
        inFlight.delete(request);
      });
      inFlight.add(request);
    }
    const due = start + k * intervalMs;
    if (due >= end) resolve();
    else setTimeout(tick, Math.max(0, due - performance.now()));
  };
  tick();
});
await Promise.all(inFlight);
expected = measuredSent - measuredFailed;
let drainTimer;
await new Promise((resolve) => {
  onDrained = resolve;
  if (delivered + dropped >= expected) resolve();
  drainTimer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
});
clearTimeout(drainTimer);
const sent = measuredSent;
process.stdout.write(
  JSON.stringify({
    sent,
    delivered,
    dropped,
    postErrors,
    latency: summarize(latencies),
    achievedRate: sent / ((end - measureFrom) / 1000),
    posterMaxLagMs,
    firstError,
  }) + '\n',
);
ws.terminate();
agent.destroy();
