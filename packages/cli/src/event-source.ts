import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { UsageError } from './cli-error.js';

/** One input event and where it came from, or why it could not be read. */
export type SourceItem = { location: string; bytesRead: number } & ({ ok: true; value: unknown } | { ok: false; reason: string });

export interface EventSource {
  /** The input's size in bytes when known (a regular file), for the progress percentage. */
  totalBytes: number | null;
  items: AsyncIterable<SourceItem>;
}

/**
 * Opens the events to emit: `-` is NDJSON on stdin, `*.json` is one event or an array of events, and
 * anything else is NDJSON (one event per line; blank lines are skipped). NDJSON is streamed, so files
 * of any size use constant memory; each item carries its line number for error reports.
 *
 * @example
 * const source = await openEventSource('events.ndjson', process.stdin);
 * for await (const item of source.items) if (!item.ok) console.error(item.location, item.reason);
 */
export async function openEventSource(path: string, stdin: Readable): Promise<EventSource> {
  if (path === '-') return { totalBytes: null, items: ndjsonItems(stdin) };
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`--file ${path} is not a regular file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (path.toLowerCase().endsWith('.json')) return { totalBytes: size, items: jsonItems(path, size) };
  return { totalBytes: size, items: ndjsonItems(createReadStream(path)) };
}

async function* ndjsonItems(input: Readable): AsyncGenerator<SourceItem> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let bytesRead = 0;
  for await (const line of lines) {
    lineNumber++;
    bytesRead += Buffer.byteLength(line, 'utf8') + 1;
    if (line.trim() === '') continue;
    const location = `line ${lineNumber}`;
    try {
      yield { location, bytesRead, ok: true, value: JSON.parse(line) as unknown };
    } catch (error) {
      yield { location, bytesRead, ok: false, reason: `not valid JSON (${(error as Error).message})` };
    }
  }
}

async function* jsonItems(path: string, size: number): AsyncGenerator<SourceItem> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const values = Array.isArray(parsed) ? parsed : [parsed];
  for (const [index, value] of values.entries()) {
    yield { location: `item ${index + 1}`, bytesRead: Math.round((size * (index + 1)) / values.length), ok: true, value };
  }
}
