import type { Readable } from 'node:stream';

/** A stream the CLI writes to. `isTTY` decides between a live progress bar and a final summary. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Everything a command touches outside itself, so that tests run commands in process with captured
 * output, their own environment and an abort signal instead of real signals.
 */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: long-running commands (start, stream) stop cleanly. */
  signal: AbortSignal;
}

/**
 * The real process's streams, environment and signals.
 *
 * @example
 * const exitCode = await main(process.argv.slice(2), processIo());
 */
export function processIo(): CliIo {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: controller.signal };
}

/** Where a command leaves its exit code when it finishes without an error but not successfully. */
export interface CommandStatus {
  exitCode: number;
}

/** Resolves when the signal aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
