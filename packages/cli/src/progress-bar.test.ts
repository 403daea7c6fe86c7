import { describe, expect, it } from 'vitest';
import { ProgressBar, renderProgress } from './progress-bar.js';

describe('renderProgress', () => {
  it('shows a bar and percentage when the size is known, and only count and rate otherwise', () => {
    expect(renderProgress({ count: 5000, bytesRead: 50, totalBytes: 100, elapsedMs: 2000 }, 10)).toBe('[#####-----] 50%  5,000 events  2,500/s');
    expect(renderProgress({ count: 12, bytesRead: 50, totalBytes: null, elapsedMs: 0 })).toBe('12 events  0/s');
    expect(renderProgress({ count: 1, bytesRead: 200, totalBytes: 100, elapsedMs: 1000 }, 4)).toBe('[####] 100%  1 events  1/s');
  });
});

describe('ProgressBar', () => {
  it('draws on a TTY at most once per interval and erases itself', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (t: string) => writes.push(t), isTTY: true }, 100);
    bar.update({ count: 1, bytesRead: 0, totalBytes: null, elapsedMs: 0 });
    bar.update({ count: 2, bytesRead: 0, totalBytes: null, elapsedMs: 50 });
    bar.update({ count: 3, bytesRead: 0, totalBytes: null, elapsedMs: 150 });
    bar.clear();
    expect(writes).toEqual(['\r1 events  0/s\x1b[K', '\r3 events  20/s\x1b[K', '\r\x1b[K']);
  });

  it('stays silent when stderr is not a terminal', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (t: string) => writes.push(t), isTTY: false });
    bar.update({ count: 1, bytesRead: 0, totalBytes: null, elapsedMs: 0 });
    bar.clear();
    expect(writes).toEqual([]);
  });
});
