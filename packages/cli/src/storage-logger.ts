import type { openStorage } from '@herald/server';
import type { OutputStream } from './cli-io.js';

/** The logger `openStorage` expects, named through its signature so that the CLI needs no logging library. */
export type StorageLogger = Parameters<typeof openStorage>[1];

/**
 * A minimal logger for commands that open storage directly (`herald keys …`): warnings and errors
 * become one `herald: warn: …` line on stderr, the rest is dropped unless HERALD_DEBUG=1. It implements
 * the level methods and `child` that storage uses; the cast names pino's type without depending on pino.
 *
 * @example
 * const storage = await openStorage(config.storage, createStorageLogger(io.stderr, false));
 */
export function createStorageLogger(stderr: OutputStream, debug: boolean): StorageLogger {
  const line = (level: string) => (first: unknown, second?: unknown) => {
    const message = typeof first === 'string' ? first : typeof second === 'string' ? second : JSON.stringify(first);
    stderr.write(`herald: ${level}: ${message}\n`);
  };
  const quiet = () => undefined;
  const logger: Record<string, unknown> = {
    level: debug ? 'debug' : 'warn',
    fatal: line('fatal'),
    error: line('error'),
    warn: line('warn'),
    info: debug ? line('info') : quiet,
    debug: debug ? line('debug') : quiet,
    trace: quiet,
    silent: quiet,
    child: () => logger,
  };
  return logger as unknown as StorageLogger;
}
