import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderJsonTemplate, renderTemplate } from './index.js';

describe('tojson and typed output round-trip any JSON value', () => {
  it('JSON.parse(tojson(v)) equals v', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = renderTemplate('{{ v | tojson }}', { v: value });
        expect(result.ok).toBe(true);
        if (result.ok) expect(JSON.parse(result.text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('a sole {{ v }} keeps the value', () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => typeof v !== 'string'),
        (value) => {
          expect(renderJsonTemplate('{{ v }}', { v: value })).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('printing a value gives JSON that parses back (DECISIONS 15)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const result = renderTemplate('{{ v }}', { v: value });
        expect(result.ok).toBe(true);
        if (result.ok) expect(JSON.parse(result.text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});
