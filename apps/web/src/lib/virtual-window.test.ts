import { describe, expect, it } from 'vitest';
import { computeWindow } from './virtual-window.js';

describe('computeWindow', () => {
  it('renders only the rows on screen plus the overscan', () => {
    expect(computeWindow({ count: 10_000, rowHeight: 50, scrollTop: 5_000, viewportHeight: 500, overscan: 5 })).toEqual({
      start: 95,
      end: 116,
      offsetTop: 4_750,
      totalHeight: 500_000,
    });
  });

  it('clamps at both ends', () => {
    expect(computeWindow({ count: 10, rowHeight: 50, scrollTop: 0, viewportHeight: 1_000 })).toMatchObject({ start: 0, end: 10 });
    const bottom = computeWindow({ count: 10_000, rowHeight: 50, scrollTop: 10_000_000, viewportHeight: 500, overscan: 0 });
    expect(bottom.end).toBe(10_000);
    expect(bottom.start).toBe(9_990);
  });

  it('handles an empty list', () => {
    expect(computeWindow({ count: 0, rowHeight: 50, scrollTop: 100, viewportHeight: 500 })).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
  });
});
