import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../cli-error.js';

async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parseYaml(text: string, name: string): unknown[] {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return [];
  const values: unknown[] = [];
  for (const document of documents) {
    const [error] = document.errors;
    if (error) throw new UsageError(`${name}: not valid YAML: ${error.message}`);
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

/**
 * Parses the text of an automation or connection file: JSON, or YAML (several `---` documents allowed).
 * A document that is a list contributes each of its items. `name` labels errors.
 *
 * @example
 * parseDocuments('name: a\n---\nname: b\n', 'rules.yaml') // [{ name: 'a' }, { name: 'b' }]
 */
export function parseDocuments(text: string, name: string): unknown[] {
  const format = extname(name).toLowerCase();
  let values: unknown[];
  if (format === '.json' || (format !== '.yaml' && format !== '.yml' && /^\s*[[{]/.test(text))) {
    try {
      values = [JSON.parse(text)];
    } catch (error) {
      if (format === '.json') throw new UsageError(`${name}: not valid JSON: ${(error as Error).message}`);
      values = parseYaml(text, name);
    }
  } else {
    values = parseYaml(text, name);
  }
  const flat = values.flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]));
  if (flat.length === 0) throw new UsageError(`${name}: the file is empty`);
  return flat;
}

/**
 * Reads and parses a file given with `-f` (`-` is stdin), see {@link parseDocuments}.
 *
 * @example
 * const documents = await readDocuments('automations/deploys.yaml', io.stdin);
 */
export async function readDocuments(path: string, stdin: Readable): Promise<unknown[]> {
  let text: string;
  try {
    text = path === '-' ? await readStream(stdin) : await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseDocuments(text, path === '-' ? 'stdin' : path);
}
