import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatIsoLabel, parseDateTime } from './datetime.js';

describe('parseDateTime', () => {
  it.each([
    ['2024-04-01T00:00:00Z', 1711929600000000],
    ['2024-04-01T00:00:00.5Z', 1711929600500000],
    ['2024-04-01T00:00:00.000007Z', 1711929600000007],
    ['2024-04-01T02:00:00+02:00', 1711929600000000],
    ['2024-04-01T00:00:00', 1711929600000000],
    ['2024-04-01 00:00:00.1234567Z', 1711929600123456],
    ['2024-04-01', 1711929600000000],
    ['1969-12-31T23:59:59.999999Z', -1],
  ])('parses %s', (text, expected) => {
    expect(parseDateTime(text)).toBe(expected);
  });

  it.each([
    '',
    'yesterday',
    '2024-13-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-04-01T24:00:00Z',
    '2024-04-01T00:00:00+25:00',
    '0000-01-01',
  ])('refuses %j', (text) => {
    expect(parseDateTime(text)).toBeNull();
  });

  it('parses runs of texts within one second alike, whatever their tail (the last second is kept)', () => {
    const forms = (us: number): [string, number][] => {
      const utc = formatDateTime(us);
      const base = utc.slice(0, 19);
      const ms = Math.floor(us / 1000);
      const millis = `${base}.${String(ms - Math.floor(ms / 1000) * 1000).padStart(3, '0')}`;
      const shifted = new Date(Math.floor(us / 1000) + 3_600_000).toISOString().slice(0, 19);
      return [
        [utc, us],
        [`${millis}Z`, ms * 1000],
        [`${millis}z`, ms * 1000],
        [`${millis}`, ms * 1000],
        [`${millis}1234 Z`, ms * 1000 + 123],
        [`${base}+00:00`, Math.floor(us / 1_000_000) * 1_000_000],
        [`${shifted}+01:00`, Math.floor(us / 1_000_000) * 1_000_000],
        [`${base}Q`, NaN],
      ];
    };
    fc.assert(
      fc.property(
        fc.integer({ min: -2208988800000, max: 7258118400000 }),
        fc.array(fc.tuple(fc.integer({ min: -1_500_000, max: 1_500_000 }), fc.nat(7)), { maxLength: 20 }),
        (ms, steps) => {
          for (const [offset, form] of steps) {
            const [text, expected] = forms(ms * 1000 + offset)[form]!;
            expect(parseDateTime(text)).toBe(Number.isNaN(expected) ? null : expected);
          }
        },
      ),
    );
  });
});

describe('formatDateTime', () => {
  it('formats like pydantic: Z, and six fraction digits only when non-zero', () => {
    expect(formatDateTime(1711929600000000)).toBe('2024-04-01T00:00:00Z');
    expect(formatDateTime(1711929600400000)).toBe('2024-04-01T00:00:00.400000Z');
    expect(formatDateTime(-1)).toBe('1969-12-31T23:59:59.999999Z');
    expect(formatIsoLabel(1714953600000000)).toBe('2024-05-06T00:00:00+00:00');
  });

  it('round-trips every microsecond timestamp between 1900 and 2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2208988800000000, max: 7258118400000000 }), (us) => {
        expect(parseDateTime(formatDateTime(us))).toBe(us);
      }),
    );
  });

  it('agrees with Date for runs of times within a second and across seconds, as batches format them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2208988800000, max: 7258118400000 }),
        fc.array(fc.integer({ min: -1_500_000, max: 1_500_000 }), { maxLength: 20 }),
        (ms, offsets) => {
          for (const offset of offsets) {
            const us = ms * 1000 + offset;
            const expected = new Date(Math.floor(us / 1000)).toISOString().slice(0, 19);
            const fraction = us - Math.floor(us / 1_000_000) * 1_000_000;
            expect(formatDateTime(us)).toBe(fraction === 0 ? `${expected}Z` : `${expected}.${String(fraction).padStart(6, '0')}Z`);
          }
        },
      ),
    );
  });
});
