import { formatDateTime, parseDateTime, toMicros } from '@herald/core';
import { UsageError } from './cli-error.js';

const RELATIVE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a time flag: an ISO-8601 date-time, `now`, or a duration ago (`90s`, `15m`, `1h`, `7d`, `2w`).
 * Returns the wire form (`2026-11-22T09:00:00Z`).
 *
 * @example
 * parseTimeFlag('1h', Date.UTC(2026, 10, 22, 10)) // '2026-11-22T09:00:00Z'
 */
export function parseTimeFlag(text: string, nowMs: number): string {
  const trimmed = text.trim();
  if (trimmed === 'now') return formatDateTime(toMicros(nowMs));
  const relative = RELATIVE.exec(trimmed);
  if (relative) return formatDateTime(toMicros(nowMs - Math.round(Number(relative[1]) * UNIT_MS[relative[2]!]!)));
  const absolute = parseDateTime(trimmed);
  if (absolute === null) throw new UsageError(`expected an ISO-8601 time or a duration such as 15m, 1h or 7d, got "${text}"`);
  return formatDateTime(absolute);
}
