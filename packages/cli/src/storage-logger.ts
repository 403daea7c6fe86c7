import type { openStorage } from '@herald/server';
import type { OutputStream } from './cli-io.js';

/** The logger `openStorage` expects, named through its signature so that the CLI needs no logging library. */
export type StorageLogger = Parameters<typeof openStorage>[1];

/**
 * A minimal logger for commands that open storage directly (`herald keys …`): storage's warnings
 * become one `herald: warn: …` line on stderr.
 *
 * @example
 * const storage = await openStorage(config.storage, createStorageLogger(io.stderr));
 */
export function createStorageLogger(stderr: OutputStream): StorageLogger {
  const warn = (_details: object, message: string) => void stderr.write(`herald: warn: ${message}\n`);
  return { child: () => ({ warn }) };
}
