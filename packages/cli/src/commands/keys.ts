import { HeraldError } from '@herald/core';
import { createApiKey, listApiKeys, loadConfig, openStorage, revokeApiKey, type ApiKeyRecord, type Storage } from '@herald/server';
import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { createStorageLogger } from '../storage-logger.js';

interface StorageFlags {
  dataDir?: string;
  databaseUrl?: string;
}

/**
 * `herald keys create|list|revoke`: manages API keys directly in the storage, so it works whether or
 * not the server is running. Point it at the same storage as the server (flags or `HERALD_*` env).
 *
 * @example
 * export HERALD_API_KEY=$(herald keys create --name ci)
 * herald keys list
 * herald keys revoke 6f1c…
 */
export function keysCommand(io: CliIo): Command {
  const keys = new Command('keys')
    .description('create, list and revoke API keys (works with the server stopped)')
    .option('--data-dir <path>', 'the SQLite data directory (env HERALD_DATA_DIR, default ~/.herald)')
    .option('--database-url <url>', 'a postgres:// URL (env HERALD_DATABASE_URL)');

  keys
    .command('create')
    .description('create a key; it is printed once, on stdout')
    .requiredOption('--name <name>', 'what the key is for, e.g. ci or laptop')
    .action(async (flags: { name: string }, command: Command) => {
      const { key, record } = await withStorage(command, io, (storage) => createApiKey(storage.keys, { name: flags.name }));
      io.stdout.write(key + '\n');
      io.stderr.write(`Created key ${record.id} (${record.prefix}…) named "${record.name}". Store it now: it is not shown again.\n`);
    });

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('--json', 'print NDJSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const records = await withStorage(command, io, (storage) => listApiKeys(storage.keys));
      if (flags.json) {
        for (const r of records) io.stdout.write(JSON.stringify({ id: r.id, name: r.name, prefix: r.prefix, created: r.created, lastUsed: r.lastUsed, revoked: r.revoked }) + '\n');
        return;
      }
      io.stdout.write(records.length === 0 ? 'No keys. Without keys Herald serves 127.0.0.1 only, without authentication.\n' : formatKeyTable(records));
    });

  keys
    .command('revoke')
    .description('revoke a key by id; requests using it fail from then on')
    .argument('<id>', 'the key id, as `herald keys list` shows it')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const revoked = await withStorage(command, io, (storage) => revokeApiKey(storage.keys, id));
      if (!revoked) throw new HeraldError('KEY_NOT_FOUND', { message: `No active API key has the id ${id}` });
      io.stdout.write(`Revoked key ${id}.\n`);
    });
  return keys;
}

async function withStorage<T>(command: Command, io: CliIo, use: (storage: Storage) => Promise<T>): Promise<T> {
  const flags = command.optsWithGlobals<StorageFlags>();
  const config = loadConfig(
    { ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}), ...(flags.databaseUrl !== undefined ? { databaseUrl: flags.databaseUrl } : {}) },
    io.env,
  );
  const storage = await openStorage(config.storage, createStorageLogger(io.stderr));
  try {
    return await use(storage);
  } finally {
    await storage.close();
  }
}

function formatKeyTable(records: readonly ApiKeyRecord[]): string {
  const rows = [
    ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'STATUS'],
    ...records.map((r) => [r.id, r.name, r.prefix, r.created, r.lastUsed ?? '-', r.revoked ? `revoked ${r.revoked}` : 'active']),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ') + '\n').join('');
}
