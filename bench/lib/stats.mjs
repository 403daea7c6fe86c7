// Small statistics helpers for latency samples.

/** The p-quantile (0..1) of an ascending array, nearest rank; null when empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
}

/** `{ n, p50, p95, p99, max, mean }` of a list of numbers (milliseconds, usually). */
export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const mean = n === 0 ? null : sorted.reduce((a, b) => a + b, 0) / n;
  return {
    n,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: n ? sorted[n - 1] : null,
    mean,
  };
}
