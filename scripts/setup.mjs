#!/usr/bin/env node
// Installs every npm dependency. better-sqlite3 compiles from source on machines where prebuilt
// binaries cannot be downloaded; node-gyp must then find the headers of the running Node locally
// instead of downloading them, so point it at this Node's install prefix when it has them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const prefix = dirname(dirname(process.execPath));
const env = { ...process.env };
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit', env });
if (result.status !== 0) {
  console.error('npm install failed. If better-sqlite3 failed to build, install a C++ toolchain (gcc, make, python3) and retry.');
  process.exit(result.status ?? 1);
}
