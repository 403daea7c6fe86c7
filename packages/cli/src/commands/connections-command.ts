import { HeraldError, isUuid, type Connection, type ConnectionKind, type JsonValue } from '@herald/core';
import type { ConnectionCreateBody, HeraldClient } from '@herald/sdk';
import { Command, Option } from 'commander';
import { withClient } from '../cli-client.js';
import { UsageError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { readDocuments } from './automations-files.js';
import { formatConnectionTable } from './automations-format.js';

const KINDS: readonly ConnectionKind[] = ['webhook', 'slack', 'discord', 'email'];

interface CreateFlags {
  kind?: ConnectionKind;
  name?: string;
  setting: string[];
  secret: string[];
  secretEnv: string[];
  file?: string;
  json?: boolean;
}

function splitPair(text: string, flag: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`${flag} expects key=value, got "${flag === '--secret' ? '<hidden>' : text}"`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** A setting value is JSON when it parses as JSON (`587`, `true`, `["a@x.org"]`), else the text itself. */
function settingValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges a file (`{name, kind, settings, secrets}`) with the flags; flags win. Secret values never appear in errors. */
async function buildConnection(flags: CreateFlags, io: CliIo): Promise<ConnectionCreateBody> {
  let base: Record<string, unknown> = {};
  if (flags.file) {
    const documents = await readDocuments(flags.file, io.stdin);
    if (documents.length !== 1 || !isPlainObject(documents[0])) throw new UsageError(`${flags.file}: expected one connection object`);
    base = documents[0];
  }
  const settings = { ...(isPlainObject(base.settings) ? (base.settings as Record<string, JsonValue>) : {}) };
  for (const pair of flags.setting) {
    const [key, value] = splitPair(pair, '--setting');
    settings[key] = settingValue(value);
  }
  const secrets: Record<string, string> = {};
  if (isPlainObject(base.secrets)) {
    for (const [key, value] of Object.entries(base.secrets)) {
      if (typeof value !== 'string') throw new UsageError(`${flags.file}: secret "${key}" must be a string`);
      secrets[key] = value;
    }
  }
  for (const pair of flags.secret) {
    const [key, value] = splitPair(pair, '--secret');
    secrets[key] = value;
  }
  for (const pair of flags.secretEnv) {
    const [key, variable] = splitPair(pair, '--secret-env');
    const value = io.env[variable];
    if (value === undefined || value === '') throw new UsageError(`--secret-env ${key}=${variable}: the environment variable ${variable} is not set`);
    secrets[key] = value;
  }
  const name = flags.name ?? base.name;
  const kind = flags.kind ?? base.kind;
  if (typeof name !== 'string' || name === '') throw new UsageError('a connection needs a name: --name or "name" in the file');
  if (typeof kind !== 'string' || !KINDS.includes(kind as ConnectionKind)) throw new UsageError(`a connection needs a kind, one of ${KINDS.join(', ')}: --kind or "kind" in the file`);
  return { name, kind: kind as ConnectionKind, settings, secrets };
}

async function resolveConnection(client: HeraldClient, ref: string): Promise<Connection> {
  if (isUuid(ref)) {
    const byId = await client.connections.get(ref);
    if (byId) return byId;
  }
  const named = (await client.connections.list()).filter((c) => c.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new UsageError(`${named.length} connections are named "${ref}"; give the id instead`);
  throw new HeraldError('CONNECTION_NOT_FOUND', { message: `No connection has the id or name "${ref}"` });
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `herald connections ls|create|delete`: the webhook, Slack, Discord and email targets that
 * `call-webhook` and `send-notification` actions name by id. Secrets are write-only and never printed.
 *
 * @example
 * herald connections create --kind slack --name ops --secret-env url=SLACK_WEBHOOK_URL
 * herald connections create --kind email --name oncall --setting host=smtp.acme.org --setting port=587 \
 *   --setting secure=false --setting from=herald@acme.org --setting 'to=["oncall@acme.org"]' --secret-env password=SMTP_PASSWORD
 */
export function connectionsCommand(io: CliIo): Command {
  const connections = new Command('connections').alias('connection').description('manage connections: where webhook and notification actions send');

  connections
    .command('ls')
    .alias('list')
    .description('list connections (secret names only, never values)')
    .option('--json', 'print NDJSON, one connection per line')
    .action(async (flags: { json?: boolean }, command: Command) => {
      await withClient(command, io, async (client) => {
        const all = await client.connections.list();
        if (flags.json) for (const c of all) io.stdout.write(JSON.stringify(c) + '\n');
        else io.stdout.write(all.length === 0 ? 'No connections.\n' : formatConnectionTable(all));
      });
    });

  connections
    .command('create')
    .description('create a connection from flags and/or a file; prints its id (use it as block_document_id)')
    .addOption(new Option('--kind <kind>', 'the kind of target').choices(KINDS as string[]))
    .option('--name <name>', 'a name to recognise it by')
    .option('--setting <key=value>', 'a non-secret setting, repeatable; JSON values (numbers, booleans, lists) are parsed', collect, [])
    .option('--secret <key=value>', 'a secret, repeatable (prefer --secret-env: command lines end up in shell history)', collect, [])
    .option('--secret-env <key=VAR>', 'a secret read from the environment variable VAR, repeatable', collect, [])
    .option('-f, --file <path>', 'a JSON or YAML file {name, kind, settings, secrets}; flags override it; - for stdin')
    .option('--json', 'print the created connection as JSON (secret names only)')
    .action(async (flags: CreateFlags, command: Command) => {
      const body = await buildConnection(flags, io);
      await withClient(command, io, async (client) => {
        const created = await client.connections.create(body);
        if (flags.json) io.stdout.write(JSON.stringify(created) + '\n');
        else io.stdout.write(`${created.id}\n`);
        io.stderr.write(`Created ${created.kind} connection "${created.name}"${created.secrets.length > 0 ? ` with secrets ${created.secrets.join(', ')}` : ''}.\n`);
      });
    });

  connections
    .command('delete')
    .alias('rm')
    .description('delete a connection; actions that still name it fail')
    .argument('<connection>', 'id or name')
    .action(async (ref: string, _flags: unknown, command: Command) => {
      await withClient(command, io, async (client) => {
        const connection = await resolveConnection(client, ref);
        await client.connections.delete(connection.id);
        io.stdout.write(`deleted ${connection.id} ${connection.name}\n`);
      });
    });

  return connections;
}
