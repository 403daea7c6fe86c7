import { Readable } from 'node:stream';
import type { CliIo } from '../cli-io.js';

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
  abort(): void;
}

/** An in-memory CliIo: captured stdout/stderr, a given stdin text and environment, and an abort switch. */
export function captureIo(options: { stdin?: string; env?: NodeJS.ProcessEnv; tty?: boolean } = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  return {
    stdout: { write: (t: string) => out.push(t), isTTY: false },
    stderr: { write: (t: string) => err.push(t), isTTY: options.tty ?? false },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? {},
    signal: controller.signal,
    out: () => out.join(''),
    err: () => err.join(''),
    abort: () => controller.abort(),
  };
}
