import type { TimeUnit } from '@herald/sdk/browser';
import { resolveRange, type TimeRange } from './feed-query.js';

/** The feed's quick ranges. */
export const PRESETS: { label: string; seconds: number }[] = [
  { label: '15m', seconds: 900 },
  { label: '1h', seconds: 3_600 },
  { label: '24h', seconds: 86_400 },
  { label: '7d', seconds: 604_800 },
  { label: '30d', seconds: 2_592_000 },
];

/**
 * The range moved by its own length, backwards (-1) or forwards (1). A span becomes a fixed range;
 * stepping forwards never passes `nowMs`, and landing on now gives the span back (live again).
 *
 * @example
 * stepRange({ kind: 'span', seconds: 3600 }, -1, Date.parse('2026-01-01T12:00:00Z'))
 * // { kind: 'range', since: '2026-01-01T10:00:00.000Z', until: '2026-01-01T11:00:00.000Z' }
 */
export function stepRange(range: TimeRange, direction: -1 | 1, nowMs: number): TimeRange {
  const { since, until } = resolveRange(range, nowMs);
  const length = until - since;
  let nextUntil = until + direction * length;
  if (nextUntil >= nowMs) {
    if (direction === 1) return { kind: 'span', seconds: Math.round(length / 1000) };
    nextUntil = nowMs;
  }
  return { kind: 'range', since: new Date(nextUntil - length).toISOString(), until: new Date(nextUntil).toISOString() };
}

const LADDER_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000];

/**
 * The histogram bucket for a window: the smallest step of a fixed ladder that keeps at most
 * `maxBuckets` bars, expressed in seconds so the server's count-by accepts it.
 *
 * @example
 * chooseBucket(86_400_000) // { timeUnit: 'second', timeInterval: 900, seconds: 900 }
 */
export function chooseBucket(windowMs: number, maxBuckets = 120): { timeUnit: TimeUnit; timeInterval: number; seconds: number } {
  const seconds = LADDER_SECONDS.find((s) => windowMs / 1000 / s <= maxBuckets) ?? Math.ceil(windowMs / 1000 / maxBuckets);
  return { timeUnit: 'second', timeInterval: seconds, seconds };
}

/** Describes a range for people: "Past 24h" or the two ends. */
export function describeRange(range: TimeRange): string {
  if (range.kind === 'span') {
    const preset = PRESETS.find((p) => p.seconds === range.seconds);
    return `Past ${preset ? preset.label : formatDuration(range.seconds)}`;
  }
  return `${new Date(range.since).toLocaleString()} → ${new Date(range.until).toLocaleString()}`;
}

/** `90` → `1m 30s`, `86400` → `1d`. */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ') || '0s';
}
