import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLabelPattern } from './glob.js';

describe('compileLabelPattern', () => {
  it.each([
    ['a-val*', 'a-val', true],
    ['a-val*', 'a-valerie', true],
    ['a-val*', 'A-VAL', false],
    ['*good*', 'so good!', true],
    ['?x', 'ax', true],
    ['?x', 'x', false],
    ['[abc]z', 'bz', true],
    ['[!abc]z', 'bz', false],
    ['[!abc]z', 'dz', true],
    ['[a-c]', 'b', true],
    ['[', '[', true],
    ['a.b', 'axb', false],
    ['!nah*', 'yes', true],
    ['!nah*', 'nah-really', false],
    ['!', '!', true],
    ['*', 'line\nbreak', true],
  ])('%j on %j → %s', (pattern, value, expected) => {
    expect(compileLabelPattern(pattern)(value)).toBe(expected);
  });

  it('never matches a missing label, negated or not', () => {
    fc.assert(
      fc.property(fc.string(), (pattern) => {
        expect(compileLabelPattern(pattern)(undefined)).toBe(false);
      }),
    );
  });

  it('matches a pattern without metacharacters only by equality', () => {
    const plain = fc.string().filter((s) => !/[*?[!]/.test(s));
    fc.assert(
      fc.property(plain, fc.string(), (pattern, value) => {
        expect(compileLabelPattern(pattern)(value)).toBe(pattern === value);
      }),
    );
  });
});
