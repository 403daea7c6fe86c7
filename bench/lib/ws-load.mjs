// Websocket ingest load: one connection to /api/events/in?acks=true (Prefect handshake), one event per
// frame, pipelined with a bounded window of unacknowledged events (refilled when half of it is acked).
// Counts the events acknowledged (durably committed) during the measured window; after it, stops
// sending and waits for the remaining acks, so that a lost or stalled event shows as `unacked`.
//
// Usage: node ws-load.mjs --url http://127.0.0.1:4200 [--seconds 10] [--warmup 1] [--window 4000] [--ids v7|v4]
// Prints one JSON line: sent, acked, errors, unacked, seconds, eventsPerSecond, closeCode, firstError.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { createCatalogue } from './catalogue.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    window: { type: 'string', default: '4000' },
    ids: { type: 'string', default: 'v7' },
  },
});
const windowSize = Number(opt.window);
const DRAIN_TIMEOUT_MS = 15_000;

const next = createCatalogue({ seed: process.pid, idKind: opt.ids });
const ws = new WebSocket(opt.url.replace(/^http/, 'ws') + '/api/events/in?acks=true', 'prefect');
let sent = 0;
let acked = 0;
let errors = 0;
let measured = 0;
let sending = true;
let firstError = null;
let closeCode = null;
let onSettled = () => {};

await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
ws.send(JSON.stringify({ type: 'auth', token: null }));
const hello = await new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
if (hello.type !== 'auth_success') throw new Error(`handshake failed: ${JSON.stringify(hello)}`);

const started = performance.now();
const measureFrom = started + Number(opt.warmup) * 1000;
const deadline = measureFrom + Number(opt.seconds) * 1000;

function pump() {
  while (sending && sent - acked - errors < windowSize) {
    // The event written straight as JSON: a fifth of the load generator's CPU per event (catalogue.mjs).
    ws.send(next.json().json);
    sent++;
  }
}

ws.on('message', (data) => {
  const message = JSON.parse(data.toString());
  const now = performance.now();
  if (message.type === 'ack') {
    acked++;
    if (now >= measureFrom && now < deadline) measured++;
  } else {
    errors++;
    firstError ??= message;
  }
  if (sending && now >= deadline) sending = false;
  if (sent - acked - errors <= windowSize / 2) pump();
  if (!sending && acked + errors === sent) onSettled();
});
ws.on('error', (error) => (firstError ??= String(error.message)));
ws.on('close', (code) => {
  closeCode = code;
  onSettled();
});

pump();
await new Promise((resolve) => setTimeout(resolve, deadline - performance.now()));
sending = false;
let drainTimer;
await new Promise((resolve) => {
  onSettled = resolve;
  if (acked + errors === sent || closeCode !== null) resolve();
  drainTimer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
});
clearTimeout(drainTimer);
const seconds = (deadline - measureFrom) / 1000;
process.stdout.write(
  JSON.stringify({
    sent,
    acked,
    errors,
    unacked: sent - acked - errors,
    seconds,
    eventsPerSecond: measured / seconds,
    closeCode,
    firstError,
  }) + '\n',
);
ws.terminate();
