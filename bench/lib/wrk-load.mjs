// HTTP load from wrk (Debian's package, a C load generator): a Node client cannot send small requests
// fast enough to measure a server above a few thousand requests per second on this 2-core machine (it
// tops out near 7,000 req/s against a bare server that wrk drives at about 37,000). Each of
// `connections` keep-alive connections POSTs the next body of `webhook-bodies.lua` and waits for the
// answer (closed loop). A warm-up run comes first and is not counted. wrk is installed with apt-get
// when missing.
//
// Usage: node wrk-load.mjs --url http://127.0.0.1:4200 --path /hooks/x [--connections 128] [--seconds 9] [--warmup 1]
// Prints one JSON line: requests, errors (non-2xx answers and socket errors), seconds,
// requestsPerSecond, p50, p99 (ms), acked (2xx answers, warm-up included).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { libScript } from './processes.mjs';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    path: { type: 'string', default: '/api/events' },
    connections: { type: 'string', default: '128' },
    seconds: { type: 'string', default: '9' },
    warmup: { type: 'string', default: '1' },
  },
});

function ensureWrk() {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  process.stderr.write('wrk is missing: installing it with apt-get\n');
  const install = spawnSync('sh', ['-c', 'apt-get install -y wrk || (apt-get update && apt-get install -y wrk)'], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('wrk is not installed and apt-get could not install it (run `apt-get install -y wrk` as root)');
}

/** Runs wrk once; resolves with its counts and latency percentiles. */
function runWrk(seconds) {
  const target = new URL(opt.path, opt.url).href;
  const args = [
    '-t1',
    `-c${opt.connections}`,
    // wrk takes whole seconds only (a --quick warm-up of 0.5 s would be refused).
    `-d${Math.max(1, Math.ceil(seconds))}s`,
    '--timeout',
    '10s',
    '--latency',
    '-s',
    libScript('webhook-bodies.lua'),
    target,
    '--',
    randomBytes(4).toString('hex'),
  ];
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const number = (pattern) => Number(out.match(pattern)?.[1] ?? 0);
  const ms = (label) => {
    const m = out.match(new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm'));
    if (!m) return null;
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  const requests = number(/(\d+) requests in/);
  const elapsed = number(/requests in ([\d.]+)s/);
  const socketErrors =
    out
      .match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/)
      ?.slice(1)
      .reduce((a, b) => a + Number(b), 0) ?? 0;
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/);
  return { requests, seconds: elapsed, errors: non2xx + socketErrors, non2xx, p50: ms('50'), p99: ms('99') };
}

ensureWrk();
const warm = Number(opt.warmup) > 0 ? runWrk(Number(opt.warmup)) : { requests: 0, non2xx: 0 };
const run = runWrk(Number(opt.seconds));
process.stdout.write(
  JSON.stringify({
    requests: run.requests,
    errors: run.errors,
    seconds: run.seconds,
    requestsPerSecond: run.seconds > 0 ? (run.requests - run.non2xx) / run.seconds : 0,
    p50: run.p50,
    p99: run.p99,
    acked: warm.requests - warm.non2xx + run.requests - run.non2xx,
  }) + '\n',
);
