import { describe, expect, it } from 'vitest';
import { JoinedStrings } from './joined-strings.js';

describe('JoinedStrings', () => {
  it('gives back each string, in order, empty and non-ASCII ones included', () => {
    const strings = ['{"a":1}', '', 'ünïcødé ✓', '', 'x'.repeat(200_000), 'last'];
    const joined = JoinedStrings.of(strings);
    expect(joined.length).toBe(strings.length);
    expect(Array.from({ length: joined.length }, (_, i) => joined.at(i))).toEqual(strings);
  });

  it('holds nothing for an empty list', () => {
    expect(JoinedStrings.of([]).length).toBe(0);
  });
});
