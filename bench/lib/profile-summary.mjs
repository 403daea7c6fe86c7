// Summarises V8 CPU profiles (`node --cpu-prof`, one file per thread): where the sampled time went,
// by function (self time) and by file. Idle and GC are listed apart, so the busy share is visible.
//
// Usage: node bench/lib/profile-summary.mjs <file.cpuprofile>… [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opt, positionals: files } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const top = Number(opt.top);

function shortUrl(url) {
  if (!url) return '(native)';
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^.*\/packages\//, 'packages/');
}

function summarize(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (deltas[i] ?? 0)));
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  const byFile = new Map();
  for (const [id, micros] of selfMicros) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const where = shortUrl(callFrame.url);
    const key = `${name}  ${where}:${callFrame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    byFile.set(where, (byFile.get(where) ?? 0) + micros);
  }
  const idle = byFunction.get('(idle)  (native):0') ?? 0;
  const lines = [`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * (total - idle)) / total).toFixed(0)} % busy`];
  const table = (title, map) => {
    lines.push(`  ${title}`);
    for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      lines.push(`    ${((100 * micros) / total).toFixed(1).padStart(5)} %  ${key}`);
    }
  };
  table('self time by function', byFunction);
  table('self time by file', byFile);
  return lines.join('\n');
}

for (const file of files) console.log(summarize(file) + '\n');
