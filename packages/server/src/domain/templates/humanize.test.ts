import { describe, expect, it } from 'vitest';
import { apNumber, intComma, intWord, naturalDelta, naturalSize, naturalTime, ordinal } from './humanize.js';

describe('humanize (outputs of Python humanize)', () => {
  it('naturalDelta', () => {
    const cases: [number, string][] = [
      [0, 'a moment'],
      [0.5, 'a moment'],
      [1, 'a second'],
      [30, '30 seconds'],
      [60, 'a minute'],
      [119, 'a minute'],
      [120, '2 minutes'],
      [3600, 'an hour'],
      [7200, '2 hours'],
      [86400, 'a day'],
      [86400 * 2, '2 days'],
      [86400 * 31, 'a month'],
      [86400 * 65, '2 months'],
      [86400 * 365, 'a year'],
      [86400 * 366, '1 year, 1 day'],
      [86400 * 400, '1 year, 1 month'],
      [86400 * 500, '1 year, 4 months'],
      [86400 * 365 * 3, '3 years'],
      [-120, '2 minutes'],
    ];
    for (const [seconds, words] of cases) expect(naturalDelta(seconds), String(seconds)).toBe(words);
  });

  it('naturalTime', () => {
    const now = 1_000_000_000;
    expect(naturalTime(now, now)).toBe('now');
    expect(naturalTime(now - 3_600_000, now)).toBe('an hour ago');
    expect(naturalTime(now + 120_000, now)).toBe('2 minutes from now');
  });

  it('intComma', () => {
    expect(intComma(100)).toBe('100');
    expect(intComma(1000)).toBe('1,000');
    expect(intComma(-1234567.5)).toBe('-1,234,567.5');
    expect(intComma('10000')).toBe('10,000');
    expect(intComma('abc')).toBe('abc');
  });

  it('naturalSize', () => {
    expect(naturalSize(1)).toBe('1 Byte');
    expect(naturalSize(300)).toBe('300 Bytes');
    expect(naturalSize(3000)).toBe('3.0 kB');
    expect(naturalSize(3_000_000)).toBe('3.0 MB');
    expect(naturalSize(10 ** 26)).toBe('100.0 YB');
    expect(naturalSize(3000, true)).toBe('2.9 KiB');
  });

  it('ordinal', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
      '112th',
    ]);
  });

  it('intWord and apNumber', () => {
    expect(intWord(100)).toBe('100');
    expect(intWord(1_000_000)).toBe('1.0 million');
    expect(intWord(1_200_000_000)).toBe('1.2 billion');
    expect(intWord(999_999_999)).toBe('1.0 billion');
    expect(apNumber(0)).toBe('zero');
    expect(apNumber(9)).toBe('nine');
    expect(apNumber(10)).toBe('10');
  });
});
