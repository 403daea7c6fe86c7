// HTTP load generator, run as its own process so that it shares the machine's cores with the server
// as a real client would. It is built to take little of the cores it shares: undici's connection pool
// instead of node:http, events written straight as JSON (`nextEvent.json`), and nothing of a batch but
// its body kept while the request is out. With node:http and JSON.stringify of event objects, it drove
// the bare server to 109k events/s; with the first two, to about 220k.
// Each of `concurrency` keep-alive connections POSTs a fresh batch of events,
// waits for the answer, and repeats (closed loop). Requests completed during the warm-up are not
// counted. With `--verify-every N`, every N-th acknowledged batch is followed at once by
// `GET /api/events/<id>` of its last event, which must answer 200: acknowledged means queryable.
// With `--interval-ms`, each connection pauses that long between requests (a light probe beside
// another load).
//
// Usage: node http-load.mjs --url http://127.0.0.1:4200 [--concurrency 16] [--batch 50] [--seconds 10]
//        [--warmup 1] [--path /api/events] [--ids v7|v4] [--verify-every 0] [--interval-ms 0]
// Prints one JSON line: requests, events, errors, seconds, eventsPerSecond, p50/p99 (ms), ackedEvents
// (warm-up included), verified, unreadable, firstError.
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createCatalogue } from './catalogue.mjs';
import { summarize } from './stats.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    batch: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '1' },
    path: { type: 'string', default: '/api/events' },
    ids: { type: 'string', default: 'v7' },
    'verify-every': { type: 'string', default: '0' },
    'interval-ms': { type: 'string', default: '0' },
  },
});
const concurrency = Number(opt.concurrency);
const batch = Number(opt.batch);
const verifyEvery = Number(opt['verify-every']);
const intervalMs = Number(opt['interval-ms']);
const REQUEST_TIMEOUT_MS = 30_000;

const pool = new Pool(opt.url, { connections: concurrency, pipelining: 1 });
const next = createCatalogue({ seed: process.pid, idKind: opt.ids });

/** One request on the pool; resolves with the status and body text, or status 0 on a socket error. */
async function request(path, method, body) {
  try {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const res = await pool.request({ path, method, headers, body, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
    return { status: res.statusCode, body: await res.body.text() };
  } catch (error) {
    return { status: 0, body: String(error.message) };
  }
}

const started = performance.now();
const measureFrom = started + Number(opt.warmup) * 1000;
const deadline = measureFrom + Number(opt.seconds) * 1000;
const latencies = [];
let lastCompletion = measureFrom;
let requests = 0;
let events = 0;
let errors = 0;
let ackedEvents = 0;
let acked = 0;
let verified = 0;
let unreadable = 0;
let firstError = null;

async function connectionLoop() {
  while (performance.now() < deadline) {
    const occurred = new Date().toISOString();
    // Only the body and the last id outlive this loop: a batch's event objects held for the whole
    // request survived young-generation collections and cost a third of this process's CPU.
    let body = '[';
    let lastId = '';
    for (let i = 0; i < batch; i++) {
      const { id, json } = next.json(occurred);
      body += i === 0 ? json : `,${json}`;
      lastId = id;
    }
    body += ']';
    const t0 = performance.now();
    const { status, body: answer } = await request(opt.path, 'POST', body);
    const t1 = performance.now();
    const ok = status >= 200 && status < 300;
    if (ok) {
      ackedEvents += batch;
      acked++;
    } else firstError ??= `${status} ${answer.slice(0, 300)}`;
    if (t1 >= measureFrom) {
      latencies.push(t1 - t0);
      requests++;
      lastCompletion = Math.max(lastCompletion, t1);
      if (ok) events += batch;
      else errors++;
    }
    if (ok && verifyEvery > 0 && acked % verifyEvery === 0) {
      const { status: got } = await request(`/api/events/${lastId}`, 'GET');
      if (got === 200) verified++;
      else unreadable++;
    }
    if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

await Promise.all(Array.from({ length: concurrency }, connectionLoop));
const seconds = (lastCompletion - measureFrom) / 1000;
const { p50, p99 } = summarize(latencies);
process.stdout.write(
  JSON.stringify({
    requests,
    events,
    errors,
    seconds,
    eventsPerSecond: seconds > 0 ? events / seconds : 0,
    p50,
    p99,
    ackedEvents,
    verified,
    unreadable,
    firstError,
  }) + '\n',
);
await pool.close();
