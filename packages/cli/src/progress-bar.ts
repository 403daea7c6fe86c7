import type { OutputStream } from './cli-io.js';

export interface ProgressState {
  /** Events sent so far. */
  count: number;
  /** Bytes of input read, and the total when known (a regular file). */
  bytesRead: number;
  totalBytes: number | null;
  elapsedMs: number;
}

/**
 * One progress line: count, rate and, when the input size is known, a bar and a percentage.
 *
 * @example
 * renderProgress({ count: 5000, bytesRead: 50, totalBytes: 100, elapsedMs: 2000 }, 20)
 * // '[#####-----] 50%  5,000 events  2,500/s'
 */
export function renderProgress(state: ProgressState, barWidth = 24): string {
  const rate = state.elapsedMs > 0 ? Math.round((state.count * 1000) / state.elapsedMs) : 0;
  const counts = `${state.count.toLocaleString('en-US')} events  ${rate.toLocaleString('en-US')}/s`;
  if (state.totalBytes === null || state.totalBytes <= 0) return counts;
  const fraction = Math.min(1, state.bytesRead / state.totalBytes);
  const filled = Math.round(fraction * barWidth);
  return `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${Math.floor(fraction * 100)}%  ${counts}`;
}

/**
 * Redraws a progress line on a TTY at most every `intervalMs`; on anything else it stays silent, so
 * that logs and pipes get only the final summary.
 *
 * @example
 * const bar = new ProgressBar(process.stderr);
 * bar.update({ count, bytesRead, totalBytes, elapsedMs });
 * bar.clear();
 */
export class ProgressBar {
  readonly #stream: OutputStream;
  readonly #intervalMs: number;
  #lastDraw = -Infinity;
  #drawn = false;

  constructor(stream: OutputStream, intervalMs = 100) {
    this.#stream = stream;
    this.#intervalMs = intervalMs;
  }

  get enabled(): boolean {
    return this.#stream.isTTY === true;
  }

  update(state: ProgressState): void {
    if (!this.enabled || state.elapsedMs - this.#lastDraw < this.#intervalMs) return;
    this.#lastDraw = state.elapsedMs;
    // \r returns to the start of the line, \x1b[K erases what the previous, longer line left.
    this.#stream.write(`\r${renderProgress(state)}\x1b[K`);
    this.#drawn = true;
  }

  /** Erases the line so that the summary starts clean. */
  clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}
