import type { Logger } from 'pino';
import type { EventStore } from './ports.js';

export interface RetentionOptions {
  store: EventStore;
  retentionMicros: number;
  intervalMs: number;
  logger: Logger;
  now: () => number;
}

/**
 * Removes events older than the retention period: once shortly after start, then every interval.
 * Runs never overlap, and a failure is logged and retried on the next tick.
 *
 * @example
 * const retention = startRetention({ store, retentionMicros: 7 * 86_400_000_000, intervalMs: 3_600_000, logger, now });
 * retention.stop();
 */
export function startRetention(options: RetentionOptions): { runOnce(): Promise<number>; stop(): void } {
  let running: Promise<number> | null = null;
  const runOnce = () => {
    running ??= (async () => {
      const cutoff = options.now() - options.retentionMicros;
      try {
        const removed = await options.store.purgeBefore(cutoff);
        if (removed > 0) options.logger.info({ removed }, 'retention removed old events');
        return removed;
      } catch (error) {
        options.logger.error({ err: error }, 'retention failed; it will run again at the next interval');
        return 0;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const first = setTimeout(() => void runOnce(), 5_000);
  const timer = setInterval(() => void runOnce(), options.intervalMs);
  first.unref();
  timer.unref();
  return {
    runOnce,
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
