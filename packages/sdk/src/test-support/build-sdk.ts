import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(fileURLToPath(import.meta.url), '../../../../..');

export interface BuiltSdk {
  /** The directory holding `sdk/index.js`; scripts written here import `./sdk/index.js`. */
  dir: string;
  remove(): void;
}

/**
 * Compiles core and the SDK from source into a temporary directory, with a `node_modules` that links
 * the repository's dependencies and the fresh core, so that tests can run the SDK in a child process
 * (where `beforeExit` and unreferenced sockets behave as for a user) without depending on `npm run build`.
 */
export async function buildSdk(): Promise<BuiltSdk> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sdk-build-'));
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  const flags = ['--composite', 'false', '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false', '--incremental', 'false', '--noCheck'];
  await run(process.execPath, [tsc, '-p', join(repo, 'packages/core/tsconfig.json'), '--outDir', join(dir, 'node_modules/@herald/core'), ...flags]);
  await run(process.execPath, [tsc, '-p', join(repo, 'packages/sdk/tsconfig.json'), '--outDir', join(dir, 'sdk'), ...flags]);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'node_modules/@herald/core/package.json'), '{"type":"module","main":"./index.js"}');
  // Core's own dependencies (ajv 8) shadow older hoisted copies, as in the workspace.
  if (existsSync(join(repo, 'packages/core/node_modules'))) symlinkSync(join(repo, 'packages/core/node_modules'), join(dir, 'node_modules/@herald/core/node_modules'));
  for (const name of readdirSync(join(repo, 'node_modules'))) {
    if (name === '@herald' || name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      mkdirSync(join(dir, 'node_modules', name), { recursive: true });
      for (const scoped of readdirSync(join(repo, 'node_modules', name))) symlinkSync(join(repo, 'node_modules', name, scoped), join(dir, 'node_modules', name, scoped));
    } else {
      symlinkSync(join(repo, 'node_modules', name), join(dir, 'node_modules', name));
    }
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
