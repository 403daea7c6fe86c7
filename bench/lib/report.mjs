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
