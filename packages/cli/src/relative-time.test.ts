import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-error.js';
import { parseTimeFlag } from './relative-time.js';

const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);

describe('parseTimeFlag', () => {
  it('resolves durations ago against now', () => {
    expect(['90s', '15m', '1h', '7d', '2w', '1.5h', '500ms', 'now'].map((t) => parseTimeFlag(t, NOW))).toEqual([
      '2026-11-22T09:58:30Z',
      '2026-11-22T09:45:00Z',
      '2026-11-22T09:00:00Z',
      '2026-11-15T10:00:00Z',
      '2026-11-08T10:00:00Z',
      '2026-11-22T08:30:00Z',
      '2026-11-22T09:59:59.500000Z',
      '2026-11-22T10:00:00Z',
    ]);
  });

  it('normalises ISO-8601 times to UTC', () => {
    expect(parseTimeFlag('2026-11-22T12:00:00+02:00', NOW)).toBe('2026-11-22T10:00:00Z');
    expect(parseTimeFlag('2026-11-22', NOW)).toBe('2026-11-22T00:00:00Z');
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['yesterday', '1y', '-1h', '']) expect(() => parseTimeFlag(bad, NOW)).toThrow(UsageError);
  });
});
