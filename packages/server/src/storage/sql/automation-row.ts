import { parseDateTime } from '@herald/core';

/**
 * µs since the epoch of a stored automation's `created` or `updated` (ISO, set by the service).
 *
 * @example
 * automationMicros('2026-01-01T00:00:00Z') // 1767225600000000
 */
export function automationMicros(iso: string): number {
  const us = parseDateTime(iso);
  if (us === null) throw new TypeError(`not an ISO datetime: ${iso}`);
  return us;
}
