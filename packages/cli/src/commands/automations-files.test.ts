import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../cli-error.js';
import { parseDocuments, readDocuments } from './automations-files.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-cli-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseDocuments', () => {
  it('reads JSON objects and lists', () => {
    expect(parseDocuments('{"name": "a"}', 'a.json')).toEqual([{ name: 'a' }]);
    expect(parseDocuments('[{"name": "a"}, {"name": "b"}]', 'a.json')).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('reads YAML, several documents included', () => {
    expect(parseDocuments('name: a\ntrigger:\n  posture: Reactive\n---\nname: b\n', 'rules.yaml')).toEqual([{ name: 'a', trigger: { posture: 'Reactive' } }, { name: 'b' }]);
    expect(parseDocuments('- name: a\n- name: b\n', 'rules.yml')).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('guesses the format without a known extension', () => {
    expect(parseDocuments('{"name": "a"}', 'stdin')).toEqual([{ name: 'a' }]);
    expect(parseDocuments('name: a', 'stdin')).toEqual([{ name: 'a' }]);
    expect(parseDocuments('{name: a}', 'stdin')).toEqual([{ name: 'a' }]);
  });

  it('names the file in clear errors', () => {
    expect(() => parseDocuments('{"name": ', 'a.json')).toThrow(/^a\.json: not valid JSON/);
    expect(() => parseDocuments('name: [a', 'a.yaml')).toThrow(/^a\.yaml: not valid YAML/);
    expect(() => parseDocuments('', 'a.yaml')).toThrow(UsageError);
    expect(() => parseDocuments('', 'a.yaml')).toThrow('a.yaml: the file is empty');
  });
});

describe('readDocuments', () => {
  it('reads a file, or stdin for -', async () => {
    const path = join(dir, 'one.yaml');
    writeFileSync(path, 'name: from-file\n');
    expect(await readDocuments(path, Readable.from([]))).toEqual([{ name: 'from-file' }]);
    expect(await readDocuments('-', Readable.from(['{"name": "from-stdin"}']))).toEqual([{ name: 'from-stdin' }]);
  });

  it('reports a missing file as a usage error', async () => {
    await expect(readDocuments(join(dir, 'missing.yaml'), Readable.from([]))).rejects.toThrow(/^cannot read .*missing\.yaml: ENOENT$/);
  });
});
