import { describe, expect, it } from 'vitest';
import { parseTextQuery } from './text-query.js';

describe('parseTextQuery', () => {
  it('splits include, exclude and required terms, keeping quoted phrases', () => {
    expect(parseTextQuery('Error -debug !trace +"Flow Run" "a \\"b\\" c\\\\"')).toEqual({
      include: ['error', 'a "b" c\\'],
      exclude: ['debug', 'trace'],
      required: ['flow run'],
    });
  });

  it('skips a lone prefix and empty terms, and runs an unclosed quote to the end', () => {
    expect(parseTextQuery(' - + ! "" "open phrase')).toEqual({ include: ['open phrase'], exclude: [], required: [] });
  });
});
