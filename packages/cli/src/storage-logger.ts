import type { openStorage } from '@herald/server';
import type { OutputStream } from './cli-io.js';

/** The logger `openStorage` expects, named through its signature so that the CLI needs no logging library. */
export type StorageLogger = Parameters<typeof openStorage>[1];

/**
 * A minimal logger for commands that open storage directly (`herald keys …`): storage's warnings and
 * errors become one `herald: warn: …` or `herald: error: …` line on stderr.
 *
 * @example
 * const storage = await openStorage(config.storage, createStorageLogger(io.stderr));
 */
export function createStorageLogger(stderr: OutputStream): StorageLogger {
  const line = (level: string) => (_details: object, message: string) => void stderr.write(`herald: ${level}: ${message}\n`);
  return { child: () => ({ warn: line('warn'), error: line('error') }) };
}
