import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoDuration, formatShortDuration, parseDuration } from './durations.js';

describe('parseDuration', () => {
  it.each([
    [10, 10],
    [0.5, 0.5],
    [-1, -1],
    [9.9999999, 10],
    ['PT10S', 10],
    ['pt10s', 10],
    ['PT1M30S', 90],
    ['P1DT2H', 93_600],
    ['P1W', 604_800],
    ['PT0.5S', 0.5],
    ['PT1,5S', 1.5],
    ['-PT10S', -10],
    ['P0D', 0],
    ['00:00:10', 10],
    ['01:02:03', 3_723],
    ['1:00:00.25', 3_600.25],
    ['2 days, 0:00:01', 172_801],
    ['1 day 00:00:00', 86_400],
    ['-00:00:05', -5],
  ])('%j → %s s', (input, seconds) => {
    expect(parseDuration(input)).toEqual({ ok: true, seconds });
  });

  it.each([null, true, {}, [], 'ten', 'P', 'PT', 'P1DT', '10', '00:61:00', '00:00:60', Infinity, NaN])('refuses %j', (input) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^Input should be a valid timedelta/);
  });

  it('reports null with pydantic’s type', () => {
    expect(parseDuration(null)).toEqual({ ok: false, type: 'time_delta_type', message: 'Input should be a valid timedelta' });
  });

  it('round-trips any microsecond duration through its ISO-8601 form', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10 * 365 * 86_400e6, max: 10 * 365 * 86_400e6 }), (micros) => {
        const seconds = micros / 1e6;
        expect(parseDuration(formatIsoDuration(seconds))).toEqual({ ok: true, seconds });
      }),
    );
  });

  it('reads numbers as seconds, rounded to microseconds', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (seconds) => {
        const result = parseDuration(seconds);
        expect(result.ok && Math.abs(result.seconds - seconds) <= 5e-7 + Math.abs(seconds) * 1e-15).toBe(true);
      }),
    );
  });
});

describe('formatIsoDuration', () => {
  it.each([
    [0, 'PT0S'],
    [10, 'PT10S'],
    [90, 'PT1M30S'],
    [93_784.5, 'P1DT2H3M4.5S'],
    [86_400, 'P1D'],
    [-3_600, '-PT1H'],
  ])('%s → %s', (seconds, text) => {
    expect(formatIsoDuration(seconds)).toBe(text);
  });
});

describe('formatShortDuration', () => {
  it.each([
    [0, '0s'],
    [10, '10s'],
    [5_400, '1h30m'],
    [172_800, '2d'],
    [60.5, '1m0.5s'],
  ])('%s → %s', (seconds, text) => {
    expect(formatShortDuration(seconds)).toBe(text);
  });
});
