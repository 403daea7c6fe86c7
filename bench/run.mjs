// Herald's benchmark harness: `npm run bench` (build, then every section), or
// `node bench/run.mjs [ingest|ws|latency|queries|postgres …] [--quick] [--cpu-prof] [--repeat N]` after `npm run build`.
// With --repeat N, the sections run N times in turn and each figure is the median run (see medianOfRuns).
// With --cpu-prof, each Herald server writes V8 CPU profiles to bench/results/profiles/<time>/ (summarise
// them with `node bench/lib/profile-summary.mjs <files>`).
// Prints a table of figures (value, target, baseline, ratio, PASS/MISS) and writes the same as JSON to
// bench/results/latest.json. Exits 1 when a measurement failed (ERROR), 0 otherwise: a MISS is a
// finding, not a harness failure. See docs/benchmarks.md.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBenchContext } from './lib/bench-context.mjs';
import { closeHttpClient } from './lib/http-client.mjs';
import { killStartedProcesses } from './lib/processes.mjs';
import { failedFigure, medianOfRuns, renderTable, writeJsonReport } from './lib/report.mjs';
import { runAutomationsEngineSection } from './sections/automations-engine.mjs';
import { runAutomationsSection } from './sections/automations.mjs';
import { runIngestSection } from './sections/ingest.mjs';
import { runLatencySection } from './sections/latency.mjs';
import { runPostgresSection } from './sections/postgres.mjs';
import { runQueriesSection } from './sections/queries.mjs';
import { runReplicasSection } from './sections/replicas.mjs';
import { runWebhooksSection } from './sections/webhooks.mjs';
import { runWsSection } from './sections/ws.mjs';

const SECTIONS = {
  ingest: runIngestSection,
  ws: runWsSection,
  latency: runLatencySection,
  queries: runQueriesSection,
  postgres: runPostgresSection,
  replicas: runReplicasSection,
  webhooks: runWebhooksSection,
  'automations-engine': runAutomationsEngineSection,
  automations: runAutomationsSection,
};
const RESULTS_FILE = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const SERVER_ENTRY = fileURLToPath(new URL('../packages/server/dist/index.js', import.meta.url));

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
const usage = `usage: node bench/run.mjs [${Object.keys(SECTIONS).join('|')} …] [--quick] [--cpu-prof] [--repeat N]`;
if (flags.help) {
  console.log(usage);
  process.exit(0);
}
const unknown = positionals.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown section ${unknown.join(', ')}\n${usage}`);
  process.exit(2);
}
const repeat = Number(flags.repeat);
if (!Number.isInteger(repeat) || repeat < 1 || repeat > 9) {
  console.error(`--repeat takes a whole number of runs from 1 to 9, not ${JSON.stringify(flags.repeat)}\n${usage}`);
  process.exit(2);
}
if (!existsSync(SERVER_ENTRY)) {
  console.error('packages/server/dist is missing: run `npm run build` first (or `npm run bench`).');
  process.exit(2);
}

const sections = positionals.length > 0 ? [...new Set(positionals)] : Object.keys(SECTIONS);
const started = new Date();
const t0 = performance.now();
const log = (message) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
const cpuProfileDir = flags['cpu-prof']
  ? fileURLToPath(new URL(`./results/profiles/${started.toISOString().replace(/[:.]/g, '-')}/`, import.meta.url))
  : null;
const ctx = createBenchContext({ quick: flags.quick, log, cpuProfileDir });

// Ctrl-C kills the children; the running section then fails fast and its cleanup runs. A second
// Ctrl-C exits at once.
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  log('interrupted: stopping child processes and removing temporary data');
  killStartedProcesses();
});

log(`sections: ${sections.join(', ')}${flags.quick ? ' (quick: indicative figures only)' : ''}${repeat > 1 ? `, ${repeat} runs in turn` : ''}`);
if (cpuProfileDir) log(`CPU profiles of the Herald servers go to ${cpuProfileDir}`);
const loadBefore = loadavg();
// Runs take turns section by section, so that a noisy minute on a shared machine falls on one run of
// a section rather than on all of them.
const runs = Array.from({ length: repeat }, () => []);
for (let run = 0; run < repeat && !interrupted; run++) {
  if (repeat > 1) log(`run ${run + 1} of ${repeat}`);
  for (const name of sections) {
    if (interrupted) break;
    const sectionStart = performance.now();
    try {
      runs[run].push(...(await SECTIONS[name](ctx)).map((f) => ({ section: name, ...f })));
    } catch (error) {
      runs[run].push({ section: name, ...failedFigure(name, `section ${name}`, '', error) });
    } finally {
      await ctx.cleanup();
    }
    log(`${name} done in ${((performance.now() - sectionStart) / 1000).toFixed(0)} s`);
  }
}
closeHttpClient();
if (interrupted) process.exit(130);
const figures = repeat > 1 ? medianOfRuns(runs) : runs[0];

const report = {
  startedAt: started.toISOString(),
  durationSeconds: (performance.now() - t0) / 1000,
  quick: flags.quick,
  sections,
  cpuProfileDir,
  repeat,
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgBefore: loadBefore, loadavgAfter: loadavg() },
  figures,
  ...(repeat > 1 ? { runs } : {}),
};
writeJsonReport(RESULTS_FILE, report);
const [l1, l5] = report.machine.loadavgAfter;
console.log(
  `\nHerald benchmarks${flags.quick ? ' (--quick: indicative only)' : ''}${repeat > 1 ? `, median of ${repeat} runs` : ''} — ${report.machine.cpus} CPUs, load average ${l1.toFixed(1)} / ${l5.toFixed(1)} (1 / 5 min)\n`,
);
console.log(renderTable(figures));
const counts = figures.reduce((acc, f) => ({ ...acc, [f.status]: (acc[f.status] ?? 0) + 1 }), {});
console.log(
  `\n${Object.entries(counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ')} in ${report.durationSeconds.toFixed(0)} s — written to bench/results/latest.json`,
);
process.exit(figures.some((f) => f.status === 'ERROR') ? 1 : 0);
