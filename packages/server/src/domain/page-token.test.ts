import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken, type PageTokenState } from './page-token.js';

const MAX = 200;

const state: PageTokenState = {
  filter: { occurred: { since: '2026-01-01T00:00:00Z', until: '2026-02-01T00:00:00Z' }, event: { prefix: ['acme.'] }, order: 'DESC' },
  count: 120,
  page_size: 50,
  after: { occurred: 1_767_225_600_000_000, seq: 42 },
};

/** Wraps a JSON value in the two base64 layers, as a hostile client could. */
function wrap(value: unknown): string {
  const inner = Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
  return Buffer.from(inner, 'ascii').toString('base64');
}

const stateArb: fc.Arbitrary<PageTokenState> = fc.record({
  filter: fc.record(
    {
      occurred: fc.record({ since: fc.constant('2026-01-01T00:00:00Z'), until: fc.constant('2026-01-02T00:00:00.000001Z') }),
      event: fc.record({ prefix: fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 3 }) }),
      order: fc.constantFrom('ASC' as const, 'DESC' as const),
    },
    { requiredKeys: ['occurred'] },
  ),
  count: fc.nat(),
  page_size: fc.integer({ min: 1, max: MAX }),
  after: fc.record({ occurred: fc.maxSafeInteger(), seq: fc.maxSafeNat() }),
});

describe('encodePageToken / decodePageToken', () => {
  it('round-trips a token', () => {
    expect(decodePageToken(encodePageToken(state), MAX)).toEqual(state);
  });

  it('is base64 of base64 JSON, as the spec describes', () => {
    const token = encodePageToken(state);
    const inner = Buffer.from(token, 'base64').toString('ascii');
    expect(JSON.parse(Buffer.from(inner, 'base64').toString('utf8'))).toEqual(state);
  });

  it('round-trips any state, and the token never needs URL escaping', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const token = encodePageToken(s);
        expect(token).toMatch(/^[A-Za-z0-9=]+$/);
        expect(decodePageToken(token, MAX)).toEqual(s);
      }),
    );
  });

  it('refuses undecodable tokens', () => {
    const token = encodePageToken(state);
    for (const bad of [
      '',
      '!!!!',
      token.slice(1),
      token + 'A',
      token.replace(/.$/, '*'),
      'bm90IGJhc2U2NA==',
      wrap('').slice(0, 4),
      Buffer.from('###').toString('base64'),
    ]) {
      expect(decodePageToken(bad, MAX)).toBeNull();
    }
  });

  it('refuses JSON that is not a token', () => {
    const bad: unknown[] = [
      null,
      [],
      'x',
      42,
      { ...state, filter: null },
      { ...state, filter: [] },
      { ...state, count: -2 },
      { ...state, count: 1.5 },
      { ...state, count: '3' },
      { ...state, page_size: 0 },
      { ...state, page_size: MAX + 1 },
      { ...state, after: null },
      { ...state, after: { occurred: 1 } },
      { ...state, after: { occurred: 1, seq: -1 } },
      { ...state, after: { occurred: 1e300, seq: 1 } },
      { filter: {}, count: 1, page_size: 1, offset: 50 },
    ];
    for (const value of bad) expect(decodePageToken(wrap(value), MAX)).toBeNull();
  });

  it('refuses a page size above the configured maximum', () => {
    expect(decodePageToken(encodePageToken({ ...state, page_size: 150 }), 100)).toBeNull();
    expect(decodePageToken(encodePageToken({ ...state, page_size: 100 }), 100)).not.toBeNull();
  });

  it('refuses invalid UTF-8 inside the inner layer', () => {
    const inner = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64');
    expect(decodePageToken(Buffer.from(inner, 'ascii').toString('base64'), MAX)).toBeNull();
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.base64String(),
          fc.base64String().map((s) => Buffer.from(s, 'ascii').toString('base64')),
        ),
        (text) => {
          const result = decodePageToken(text, MAX);
          if (result !== null) {
            expect(Number.isSafeInteger(result.count)).toBe(true);
            expect(result.page_size).toBeGreaterThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('detects single-character tampering of a real token', () => {
    const token = encodePageToken(state);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'!*-_.~ %'), (index, char) => {
        const tampered = token.slice(0, index) + char + token.slice(index + 1);
        expect(decodePageToken(tampered, MAX)).toBeNull();
      }),
    );
  });
});
