import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from './cli-error.js';
import { openEventSource, type SourceItem } from './event-source.js';

const dir = { path: mkdtempSync(join(tmpdir(), 'herald-cli-source-')) };
afterAll(() => rmSync(dir.path, { recursive: true, force: true }));

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const all: SourceItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('openEventSource', () => {
  it('streams NDJSON with line numbers, skipping blank lines and flagging bad JSON', async () => {
    const path = join(dir.path, 'events.ndjson');
    writeFileSync(path, '{"a":1}\n\n{oops\r\n{"b":2}\n');
    const source = await openEventSource(path, Readable.from([]));
    const items = await collect(source.items);
    expect(source.totalBytes).toBe(24);
    expect(items.map((i) => [i.location, i.ok ? i.value : 'bad'])).toEqual([
      ['line 1', { a: 1 }],
      ['line 3', 'bad'],
      ['line 4', { b: 2 }],
    ]);
    // CRLF counts as one byte of progress: close enough for a percentage.
    expect(items.at(-1)?.bytesRead).toBe(23);
  });

  it('reads a .json file holding one event or an array', async () => {
    const one = join(dir.path, 'one.json');
    const many = join(dir.path, 'many.JSON');
    writeFileSync(one, '{"a":1}');
    writeFileSync(many, '[{"a":1},{"a":2}]');
    expect((await collect((await openEventSource(one, Readable.from([]))).items)).map((i) => i.location)).toEqual(['item 1']);
    expect((await collect((await openEventSource(many, Readable.from([]))).items)).map((i) => i.location)).toEqual(['item 1', 'item 2']);
  });

  it('reads NDJSON from stdin for -', async () => {
    const source = await openEventSource('-', Readable.from(['{"a":1}\n{"a"', ':2}\n']));
    expect(source.totalBytes).toBeNull();
    expect((await collect(source.items)).map((i) => (i.ok ? i.value : null))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('refuses a missing file, a directory and a broken .json file as usage errors', async () => {
    const broken = join(dir.path, 'broken.json');
    writeFileSync(broken, '[{');
    await expect(openEventSource(join(dir.path, 'missing.ndjson'), Readable.from([]))).rejects.toBeInstanceOf(UsageError);
    await expect(openEventSource(dir.path, Readable.from([]))).rejects.toBeInstanceOf(UsageError);
    await expect(collect((await openEventSource(broken, Readable.from([]))).items)).rejects.toBeInstanceOf(UsageError);
  });
});
