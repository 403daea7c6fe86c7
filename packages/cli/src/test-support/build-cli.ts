import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(fileURLToPath(import.meta.url), '../../../../..');

export interface BuiltCli {
  /** `node <bin>` runs the CLI as a user would. */
  bin: string;
  remove(): void;
}

/**
 * Compiles core, the SDK, the server and the CLI from source into a temporary directory laid out like an
 * installation (`node_modules/@herald/*` plus links to the repository's dependencies), so that tests can
 * run `bin.js` as a real process — exit codes, the event loop's lifetime — without `npm run build`.
 */
export async function buildCli(): Promise<BuiltCli> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cli-build-'));
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  const flags = ['--composite', 'false', '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false', '--incremental', 'false', '--noCheck'];
  const packages = ['core', 'sdk', 'server'];
  await Promise.all([
    ...packages.map((name) => run(process.execPath, [tsc, '-p', join(repo, `packages/${name}/tsconfig.json`), '--outDir', join(dir, 'node_modules/@herald', name), ...flags])),
    run(process.execPath, [tsc, '-p', join(repo, 'packages/cli/tsconfig.json'), '--outDir', join(dir, 'cli'), ...flags]),
  ]);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const name of packages) {
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
  return { bin: join(dir, 'cli/bin.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
