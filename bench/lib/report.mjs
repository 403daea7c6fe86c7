// Figures: how a section reports a measurement, how it is judged against its target, and the table
// and JSON file that present them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes one figure. `target` is `{ op: '>=' | '<=', value }` on `value`, or on `ratio` when
 * `target.on === 'ratio'`; `baseline` is `{ name, value }` and `ratio` is value / baseline. A figure
 * with no target is informational; one whose value is null failed to measure (`error` says why).
 */
export function figure({ id, name, value, unit, target = null, baseline = null, note = '', details = {}, error = null }) {
  const ratio = baseline && value != null && baseline.value ? value / baseline.value : null;
  const judged = target?.on === 'ratio' ? ratio : value;
  let status = 'INFO';
  if (value == null || error) status = 'ERROR';
  else if (target) status = (target.op === '>=' ? judged >= target.value : judged <= target.value) ? 'PASS' : 'MISS';
  return { id, name, value, unit, target, baseline, ratio, status, note, details, error };
}

/** A figure for a measurement that threw. */
export function failedFigure(id, name, unit, error, target = null) {
  return figure({ id, name, value: null, unit, target, error: String(error?.stack ?? error) });
}

function formatNumber(value, unit) {
  if (value == null) return '—';
  if (unit === 'ratio') return `${(value * 100).toFixed(0)} %`;
  if (unit === 'ms') return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
}

function formatTarget(f) {
  if (!f.target) return '—';
  const unit = f.target.on === 'ratio' ? 'ratio' : f.unit;
  const value = formatNumber(f.target.value, unit);
  return `${f.target.op === '>=' ? '≥' : '≤'} ${value}${f.target.on === 'ratio' ? ' of baseline' : ''}`;
}

function formatBaseline(f) {
  return f.baseline ? `${f.baseline.name}: ${formatNumber(f.baseline.value, f.unit)}` : '—';
}

/** What a figure is judged on: its ratio when the target is on the ratio, else its value. */
const judgedValue = (f) => (f.target?.on === 'ratio' ? f.ratio : f.value);

/**
 * Combines the figures of repeated runs (`--repeat`) into one figure per id, in the order of first
 * appearance: the run at the median of the judged value, its note followed by every run's value. With
 * an even count the middle run that is worse for the target is taken, so that a tie never flatters.
 * A count that must stay at 0 (events lost, acknowledged but unreadable) reports its worst run, and a
 * figure that failed in any run stays failed: one ERROR among the runs is reported as that ERROR.
 *
 * @example
 * medianOfRuns([[ingestRun1], [ingestRun2], [ingestRun3]]) // one ingest figure, the median run's
 */
export function medianOfRuns(runs) {
  const byId = new Map();
  for (const run of runs) {
    for (const f of run) {
      if (!byId.has(f.id)) byId.set(f.id, []);
      byId.get(f.id).push(f);
    }
  }
  return [...byId.values()].map((measured) => {
    const failures = measured.filter((f) => f.status === 'ERROR');
    const counted = measured.length === runs.length ? '' : ` (measured in ${measured.length} of ${runs.length} runs)`;
    if (failures.length > 0) {
      const [failed] = failures;
      return { ...failed, note: [failed.note, `failed in ${failures.length} of ${measured.length} runs${counted}`].filter(Boolean).join('; ') };
    }
    const sorted = [...measured].sort((a, b) => judgedValue(a) - judgedValue(b));
    const { target } = measured[0];
    // Events lost or unreadable (a target of at most 0) count in every run: the worst one is reported.
    const zeroTolerance = target?.op === '<=' && target.value === 0;
    const lowerIsWorse = target?.op !== '<=';
    const index = zeroTolerance ? sorted.length - 1 : lowerIsWorse ? Math.floor((sorted.length - 1) / 2) : Math.floor(sorted.length / 2);
    const chosen = sorted[index];
    const unit = target?.on === 'ratio' ? 'ratio' : chosen.unit;
    const values = measured.map((f) => formatNumber(judgedValue(f), unit)).join(' / ');
    const summary = `${zeroTolerance ? 'worst' : 'median'} of ${measured.length} runs: ${values}${counted}`;
    return { ...chosen, note: [chosen.note, summary].filter(Boolean).join('; '), details: { ...chosen.details, runs: measured.map(judgedValue) } };
  });
}

/** The figures as a plain-text table, one detail line under each row. */
export function renderTable(figures) {
  const header = ['Figure', 'Value', 'Target', 'Baseline', 'Ratio', 'Result'];
  const rows = figures.map((f) => [
    f.name,
    formatNumber(f.value, f.unit),
    formatTarget(f),
    formatBaseline(f),
    f.ratio == null ? '—' : formatNumber(f.ratio, 'ratio'),
    f.status,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  ')];
  rows.forEach((row, i) => {
    out.push(line(row));
    const f = figures[i];
    if (f.note) out.push(`    ${f.note}`);
    if (f.error) out.push(`    error: ${f.error.split('\n')[0]}`);
  });
  return out.join('\n');
}

/** Writes the run's JSON report (creating the directory). */
export function writeJsonReport(file, report) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
}
