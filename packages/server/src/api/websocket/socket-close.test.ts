import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CLOSE_REASON_BYTES, truncateCloseReason } from './socket-close.js';

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

describe('truncateCloseReason', () => {
  it('keeps a reason that fits unchanged', () => {
    const reason = 'x'.repeat(MAX_CLOSE_REASON_BYTES);
    expect(truncateCloseReason(reason)).toBe(reason);
  });

  it('cuts before a multi-byte character that would cross the limit', () => {
    // 122 ASCII bytes + a 4-byte emoji: the emoji cannot fit, so 122 bytes remain.
    const reason = 'a'.repeat(122) + '😀';
    expect(truncateCloseReason(reason)).toBe('a'.repeat(122));
    // 121 + 2-byte 'é' = 123: fits exactly.
    expect(truncateCloseReason('a'.repeat(121) + 'éz')).toBe('a'.repeat(121) + 'é');
  });

  it('returns the longest prefix of whole characters within the limit, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 0, max: 130 }), (text, max) => {
        const cut = truncateCloseReason(text, max);
        if (byteLength(text) <= max) {
          expect(cut).toBe(text);
          return;
        }
        expect(text.startsWith(cut)).toBe(true);
        expect(byteLength(cut)).toBeLessThanOrEqual(max);
        // Maximal: the next whole code point would not have fitted.
        const nextChar = String.fromCodePoint(text.codePointAt(cut.length)!);
        expect(byteLength(cut + nextChar)).toBeGreaterThan(max);
      }),
    );
  });
});
