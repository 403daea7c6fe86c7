// What every section shares: the run's durations (full or --quick), temporary directories and servers
// that are always cleaned up, and the checks made against a running Herald.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestJson, requestText } from './http-client.mjs';
import { libScript, runProcess, startProcess } from './processes.mjs';

/**
 * Durations and sizes of a run. Each load phase (warm-up included) lasts at most 10 s.
 * `--quick` shortens them for development; its figures are indicative only.
 */
export function phasesFor(quick) {
  return quick
    ? { warmup: 0.5, seconds: 3, seedEvents: 100_000, queryReps: 20, queryBudgetMs: 10_000 }
    : { warmup: 1, seconds: 9, seedEvents: 1_000_000, queryReps: 50, queryBudgetMs: 40_000 };
}

/**
 * A run's context: `phase`, `tempDir()`, `startHerald()`, `start()`, `runTool()`, `defer()`, `log()`,
 * and `cleanup()`, which undoes everything deferred, newest first (also on Ctrl-C). With
 * `cpuProfileDir`, every Herald server writes V8 CPU profiles there (one per thread).
 */
export function createBenchContext({ quick, log, cpuProfileDir = null }) {
  const cleanups = [];
  const phase = phasesFor(quick);

  function tempDir(prefix) {
    const path = mkdtempSync(join(tmpdir(), `herald-bench-${prefix}-`));
    cleanups.push(() => rmSync(path, { recursive: true, force: true }));
    return path;
  }

  async function start(script, args = [], options = {}) {
    const server = await startProcess(script, args, options);
    cleanups.push(() => server.stop());
    return server;
  }

  /** Starts a compiled Herald server process with these HERALD_* settings (quiet logs). */
  function startHerald(env) {
    const nodeArgs = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [];
    return start(fileURLToPath(new URL('../../scripts/run-server.mjs', import.meta.url)), [], { env: { HERALD_LOG_LEVEL: 'warn', ...env }, nodeArgs });
  }

  /** Runs a load generator (or another one-shot tool) with a timeout well past its own duration. */
  function runTool(name, args, extraMs = 60_000) {
    return runProcess(libScript(name), args, { timeoutMs: (phase.warmup + phase.seconds) * 1000 + extraMs });
  }

  return {
    quick,
    phase,
    log,
    defer: (fn) => cleanups.push(fn),
    tempDir,
    start,
    startHerald,
    runTool,
    async cleanup() {
      for (const clean of cleanups.splice(0).reverse()) {
        try {
          await clean();
        } catch (error) {
          log(`cleanup failed: ${error.message}`);
        }
      }
    },
  };
}

/** How many events a Herald server holds, by `POST /api/events/filter` with `limit: 0` (default window). */
export async function storedEventCount(url) {
  const { status, json } = await requestJson(new URL('/api/events/filter', url), { method: 'POST', body: { limit: 0 } });
  if (status !== 200) throw new Error(`counting stored events answered ${status}: ${JSON.stringify(json)}`);
  return json.total;
}

/**
 * The mean number of events per storage transaction so far, from the `herald_group_commit_events`
 * histogram of `/metrics`, or null when it is absent.
 */
export async function meanCommitEvents(url) {
  const { status, text } = await requestText(new URL('/metrics', url));
  if (status !== 200) return null;
  const value = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
  const mean = value('herald_group_commit_events_sum') / value('herald_group_commit_events_count');
  return Number.isFinite(mean) ? mean : null;
}
