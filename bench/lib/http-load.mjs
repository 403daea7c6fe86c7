// HTTP load generator, run as its own process so that the server's CPU is measured apart from it.
// POSTs batches of fresh events with `concurrency` keep-alive connections for `seconds`.
// Usage: node http-load.mjs <url> <concurrency> <batch> <seconds> [path] [authHeader]
import http from 'node:http';
import { createCatalogue } from './catalogue.mjs';

const [url, concurrency = '16', batch = '50', seconds = '10', path = '/api/events', auth = ''] = process.argv.slice(2);
const target = new URL(path, url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const next = createCatalogue({ seed: process.pid });
const latencies = [];
let events = 0;
let requests = 0;
let errors = 0;
const deadline = Date.now() + Number(seconds) * 1000;

function post(body) {
  return new Promise((resolve) => {
    const req = http.request(
      target,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(auth ? { authorization: auth } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function loop() {
  while (Date.now() < deadline) {
    const body = JSON.stringify(Array.from({ length: Number(batch) }, () => next()));
    const t0 = performance.now();
    const status = await post(body);
    latencies.push(performance.now() - t0);
    requests++;
    if (status >= 200 && status < 300) events += Number(batch);
    else errors++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, loop));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
process.stdout.write(JSON.stringify({ requests, events, errors, seconds: elapsed, eventsPerSecond: events / elapsed, p50: pct(0.5), p99: pct(0.99) }) + '\n');
agent.destroy();
