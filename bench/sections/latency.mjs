// Section `latency`: from `POST /api/events` to delivery on `/api/events/out`, at 5,000 events/s
// (50 events every 10 ms, open loop), SQLite store, one live subscriber with no filter.
import { failedFigure, figure } from '../lib/report.mjs';
import { watchCpu } from '../lib/processes.mjs';
import { usageNote } from './http-ingest.mjs';

const TARGET_P99_MS = 25;
const RATE = 5000;
const BATCH = 50;
const NAME = 'POST → /out delivery p99 at 5,000 events/s';

/** Runs the section; resolves with its figures. */
export async function runLatencySection(ctx) {
  ctx.log('latency: paced poster and /out subscriber');
  try {
    const server = await ctx.startHerald({ HERALD_DATA_DIR: ctx.tempDir('latency') });
    try {
      const cpu = watchCpu(server.pid);
      const probe = await runLatencyProbe(ctx, { url: server.info.url, rate: RATE, batch: BATCH });
      const usage = cpu.end();
      const { latency } = probe;
      return [
        figure({
          id: 'latency.p99',
          name: NAME,
          value: latency.p99,
          unit: 'ms',
          target: { op: '<=', value: TARGET_P99_MS },
          note: `p50 ${latency.p50?.toFixed(1)} ms, p95 ${latency.p95?.toFixed(1)} ms, max ${latency.max?.toFixed(1)} ms; ${probe.delivered.toLocaleString('en-US')} of ${probe.sent.toLocaleString('en-US')} delivered, ${probe.dropped} dropped, ${probe.postErrors} POST errors; poster lag ≤ ${probe.posterMaxLagMs.toFixed(1)} ms; ${usageNote(usage)}`,
          details: { probe, usage },
        }),
        undeliveredFigure('latency.undelivered', 'Latency run: posted but not delivered', probe),
      ];
    } finally {
      await server.stop();
    }
  } catch (error) {
    return [failedFigure('latency.p99', NAME, 'ms', error, { op: '<=', value: TARGET_P99_MS })];
  }
}

/** Runs `latency-probe.mjs` for the run's phase: posts to `url`, subscribes on `subscribeUrl` (default: the same). */
export function runLatencyProbe(ctx, { url, subscribeUrl = url, rate, batch }) {
  const { warmup, seconds } = ctx.phase;
  const args = ['--url', url, '--subscribe-url', subscribeUrl, '--rate', String(rate), '--batch', String(batch)];
  return ctx.runTool('latency-probe.mjs', [...args, '--seconds', String(seconds), '--warmup', String(warmup)]);
}

/** The events a `latency-probe.mjs` run posted and never saw delivered: must be 0. */
export function undeliveredFigure(id, name, probe) {
  return figure({
    id,
    name,
    value: probe.sent - probe.delivered,
    unit: 'events',
    target: { op: '<=', value: 0 },
    details: { dropped: probe.dropped, postErrors: probe.postErrors, firstError: probe.firstError },
  });
}
