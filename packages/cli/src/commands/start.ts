import { newEventId, formatDateTime, toMicros } from '@herald/core';
import { redactUrl, startHerald, type Herald, type HeraldConfigOverrides } from '@herald/server';
import { Command, InvalidArgumentError } from 'commander';
import { untilAborted, type CliIo } from '../cli-io.js';

interface StartFlags {
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string;
  redisUrl?: string;
}

/** Parses a TCP port (0 picks a free one). */
export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

/**
 * `herald start`: runs the server in the foreground until Ctrl-C. Flags override the `HERALD_*`
 * environment, which the server's configuration reads and validates.
 *
 * @example
 * herald start --port 4300 --data-dir ./herald-data
 */
export function startCommand(io: CliIo): Command {
  return new Command('start')
    .description('run the Herald server in the foreground (Ctrl-C to stop)')
    .option('--host <host>', 'address to listen on (env HERALD_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free port (env HERALD_PORT, default 4200)', parsePort)
    .option('--data-dir <path>', 'where the SQLite database lives (env HERALD_DATA_DIR, default ~/.herald)')
    .option('--database-url <url>', 'a postgres:// URL to use PostgreSQL instead of SQLite (env HERALD_DATABASE_URL)')
    .option('--redis-url <url>', 'a redis:// URL: run as one of several replicas sharing the PostgreSQL database (env HERALD_REDIS_URL)')
    .action(async (flags: StartFlags) => {
      const overrides: HeraldConfigOverrides = {
        ...(flags.host !== undefined ? { host: flags.host } : {}),
        ...(flags.port !== undefined ? { port: flags.port } : {}),
        ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
        ...(flags.databaseUrl !== undefined ? { databaseUrl: flags.databaseUrl } : {}),
        ...(flags.redisUrl !== undefined ? { redisUrl: flags.redisUrl } : {}),
      };
      const herald = await startHerald({ ...overrides, env: io.env });
      try {
        io.stdout.write(await banner(herald));
        await untilAborted(io.signal);
        io.stderr.write('herald: stopping; committing acknowledged events…\n');
      } finally {
        await herald.close();
      }
    });
}

/** Where the data lives, where to look, and a first event to send, ready to paste. */
async function banner(herald: Herald): Promise<string> {
  const { storage, replicas } = herald.config;
  const data = storage.databaseUrl ? `PostgreSQL at ${redactUrl(storage.databaseUrl)}` : `SQLite in ${storage.dataDir}`;
  const replica = replicas.redisUrl ? [`  bus:   Redis at ${redactUrl(replicas.redisUrl)} (key prefix ${replicas.redisPrefix}), shared with the other replicas`] : [];
  const event = JSON.stringify([
    { id: newEventId(), occurred: formatDateTime(toMicros(Date.now())), event: 'hello.world', resource: { 'prefect.resource.id': 'hello' } },
  ]);
  const auth = (await keysRequired(herald.url)) ? ` \\\n    -H "Authorization: Bearer $HERALD_API_KEY"` : '';
  return [
    `Herald is running at ${herald.url}`,
    `  data:  ${data}`,
    ...replica,
    `  UI:    ${herald.url}/`,
    `  API:   ${herald.url}/docs`,
    '',
    'Send a first event:',
    `  curl -X POST ${herald.url}/api/events -H 'Content-Type: application/json'${auth} \\`,
    `    -d '${event}'`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

/** True when the server refuses requests without a key (once any key exists). */
async function keysRequired(url: string): Promise<boolean> {
  const response = await fetch(`${url}/api/admin/version`);
  await response.arrayBuffer();
  return response.status === 401;
}
