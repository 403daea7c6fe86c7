import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(fileURLToPath(import.meta.url), '../../..');

export interface CompiledPackages {
  /** The directory holding `<main>/…` and `node_modules/@herald/<dependency>`. */
  dir: string;
  remove(): void;
}

/**
 * Compiles workspace packages from source into a temporary directory laid out like an installation:
 * each dependency under `node_modules/@herald/<name>`, the main package under `<main>/`, and links to
 * the repository's other dependencies. Tests can then run the code in a child process — exit codes, the
 * event loop's lifetime, `beforeExit` — as a user would, without depending on `npm run build`.
 *
 * @example
 * const built = await compilePackages({ dependencies: ['core'], main: 'sdk' });
 * // node <built.dir>/sdk/index.js
 */
export async function compilePackages(options: { dependencies: string[]; main: string }): Promise<CompiledPackages> {
  const dir = mkdtempSync(join(tmpdir(), `herald-${options.main}-build-`));
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  const flags = ['--composite', 'false', '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false', '--incremental', 'false', '--noCheck'];
  const compile = (name: string, outDir: string) => run(process.execPath, [tsc, '-p', join(repo, `packages/${name}/tsconfig.json`), '--outDir', outDir, ...flags]);
  await Promise.all([...options.dependencies.map((name) => compile(name, join(dir, 'node_modules/@herald', name))), compile(options.main, join(dir, options.main))]);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const name of options.dependencies) {
    writeFileSync(join(dir, 'node_modules/@herald', name, 'package.json'), '{"type":"module","main":"./index.js"}');
    // A package's own dependencies (core's ajv 8) shadow older hoisted copies, as in the workspace.
    const own = join(repo, 'packages', name, 'node_modules');
    if (existsSync(own)) symlinkSync(own, join(dir, 'node_modules/@herald', name, 'node_modules'));
  }
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
