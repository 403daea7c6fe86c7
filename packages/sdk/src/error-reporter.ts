import type { HeraldClientError } from './herald-api-error.js';

export interface ErrorReporterOptions {
  /** Where lines go. Default: stderr. */
  write?: (line: string) => void;
  /** At most one line per interval; the next line says how many were suppressed. Default 10 000 ms. */
  intervalMs?: number;
  now?: () => number;
}

/**
 * The default `onError` of a client: one warning line on stderr per failure nobody else handled (an
 * event whose promise no caller observed, a lost connection), rate-limited so that an outage with
 * thousands of fire-and-forget events prints a few lines, not thousands.
 *
 * @example
 * const report = createErrorReporter({ intervalMs: 5_000 });
 * report(new HeraldClientError('QUEUE_FULL', 'The queue is full')); // "herald: QUEUE_FULL: The queue is full"
 */
export function createErrorReporter(options: ErrorReporterOptions = {}): (error: HeraldClientError) => void {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const intervalMs = options.intervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  let lastWrite = -Infinity;
  let suppressed = 0;
  return (error) => {
    const t = now();
    if (t - lastWrite < intervalMs) {
      suppressed++;
      return;
    }
    const more = suppressed > 0 ? ` (${suppressed} similar ${suppressed === 1 ? 'message' : 'messages'} suppressed)` : '';
    suppressed = 0;
    lastWrite = t;
    write(`herald: ${error.code}: ${error.message}${more}`);
  };
}
