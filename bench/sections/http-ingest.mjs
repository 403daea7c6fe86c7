// Durable HTTP ingest against a running Herald (SQLite or PostgreSQL): the same closed-loop load as
// every HTTP figure (16 connections, 50 events per request), with acknowledged events spot-checked by
// id and counted afterwards, the server's CPU use and its peak RSS.
import { meanCommitEvents, storedEventCount } from '../lib/bench-context.mjs';
import { figure } from '../lib/report.mjs';
import { peakRssBytes, watchCpu } from '../lib/processes.mjs';

export const HTTP_LOAD = { concurrency: 16, batch: 50 };

/** Arguments of `http-load.mjs` for this run's load phase. */
export function httpLoadArgs(ctx, url, extra = []) {
  const { warmup, seconds } = ctx.phase;
  return [
    '--url',
    url,
    '--concurrency',
    String(HTTP_LOAD.concurrency),
    '--batch',
    String(HTTP_LOAD.batch),
    '--seconds',
    String(seconds),
    '--warmup',
    String(warmup),
    ...extra,
  ];
}

/**
 * Starts Herald with `env`, runs the HTTP load with ids of `ids` kind, and resolves with
 * `{ load, usage, stored, commitEvents, peakRssBytes, peakRssAfterReadsBytes }` once the server is stopped.
 */
export async function measureHeraldHttpIngest(ctx, { env, ids = 'v7' }) {
  const server = await ctx.startHerald(env);
  try {
    const cpu = watchCpu(server.pid);
    const load = await ctx.runTool('http-load.mjs', httpLoadArgs(ctx, server.info.url, ['--ids', ids, '--verify-every', '10']));
    const usage = cpu.end();
    // The peak of the ingest run itself; the count below starts SQLite's read thread (about 16 MB more).
    const peakDuringLoad = peakRssBytes(server.pid);
    const stored = await storedEventCount(server.info.url);
    const commitEvents = await meanCommitEvents(server.info.url);
    return { load, usage, stored, commitEvents, peakRssBytes: peakDuringLoad, peakRssAfterReadsBytes: peakRssBytes(server.pid) };
  } finally {
    await server.stop();
  }
}

/** `server 0.90 cores, machine 1.90 cores busy[, 640 events per commit]` */
export function usageNote({ serverCores, machineBusyCores }, commitEvents = null) {
  const commits = commitEvents == null ? '' : `, ${commitEvents.toFixed(0)} events per commit`;
  return `server ${serverCores.toFixed(2)} cores, machine ${machineBusyCores.toFixed(2)} cores busy${commits}`;
}

/** The figures every Herald HTTP ingest run reports besides its throughput: queryability and memory. */
export function ingestCheckFigures(prefix, label, run) {
  const { load, stored } = run;
  const missing = load.unreadable + Math.max(0, load.ackedEvents - stored);
  return [
    figure({
      id: `${prefix}.unqueryable`,
      name: `${label}: acknowledged but not queryable`,
      value: missing,
      unit: 'events',
      target: { op: '<=', value: 0 },
      note: `${load.verified} acked batches read back by id at once, ${load.unreadable} unreadable; ${stored.toLocaleString('en-US')} stored ≥ ${load.ackedEvents.toLocaleString('en-US')} acked`,
      details: { verified: load.verified, unreadable: load.unreadable, stored, acked: load.ackedEvents },
    }),
    figure({
      id: `${prefix}.peakRss`,
      name: `${label}: server peak RSS`,
      // The memory target, in MB (10^6 bytes) as it states it.
      value: run.peakRssBytes / 1e6,
      unit: 'MB',
      target: { op: '<=', value: 300 },
      note: `VmHWM of the server process at the end of the load; ${(run.peakRssAfterReadsBytes / 1e6).toFixed(0)} MB after the read-back count (which starts the read thread on SQLite)`,
    }),
  ];
}
