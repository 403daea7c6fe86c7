import { describe, expect, it } from 'vitest';
import { createErrorReporter } from './error-reporter.js';
import { HeraldClientError } from './herald-api-error.js';

describe('createErrorReporter', () => {
  it('writes one line per interval and counts what it suppressed', () => {
    const lines: string[] = [];
    let t = 0;
    const report = createErrorReporter({ write: (l) => lines.push(l), intervalMs: 1_000, now: () => t });
    report(new HeraldClientError('CONNECTION_FAILED', 'down'));
    t = 10;
    report(new HeraldClientError('QUEUE_FULL', 'full'));
    report(new HeraldClientError('QUEUE_FULL', 'full'));
    t = 1_010;
    report(new HeraldClientError('QUEUE_FULL', 'full'));
    t = 5_000;
    report(new HeraldClientError('TIMEOUT', 'slow'));
    expect(lines).toEqual([
      'herald: CONNECTION_FAILED: down',
      'herald: QUEUE_FULL: full (2 similar messages suppressed)',
      'herald: TIMEOUT: slow',
    ]);
  });
});
