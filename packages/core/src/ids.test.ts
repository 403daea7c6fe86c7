import { describe, expect, it } from 'vitest';
import { isUuid, normalizeUuid } from './ids.js';

describe('normalizeUuid', () => {
  it('returns a canonical id unchanged', () => {
    const id = '0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10';
    expect(normalizeUuid(id)).toBe(id);
  });

  it('lower-cases and hyphenates every other form isUuid accepts', () => {
    for (const form of [
      '0F6F2D3E-1D7B-4A5E-9A63-2B8F7C1E9A10',
      '0f6f2d3e1d7b4a5e9a632b8f7c1e9a10',
      '0f6f2d3e-1d7b4a5e-9a63-2B8F7C1E9A10',
    ]) {
      expect(isUuid(form)).toBe(true);
      expect(normalizeUuid(form)).toBe('0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10');
    }
  });
});
