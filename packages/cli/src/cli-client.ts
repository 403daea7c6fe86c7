import { createErrorReporter, createHeraldClient, type HeraldClient } from '@herald/sdk';
import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';

/** The connection flags every command that talks to a server accepts (global options). */
export interface ConnectionFlags {
  url?: string;
  apiKey?: string;
}

/**
 * A client for one CLI command. It gives up after a few failed connection attempts instead of
 * retrying forever, and stays quiet about failures the command reports itself (one line per error),
 * unless HERALD_DEBUG=1.
 *
 * @example
 * const client = createCliClient(command.optsWithGlobals(), io);
 */
export function createCliClient(flags: ConnectionFlags, io: CliIo, maxConnectAttempts = 6): HeraldClient {
  const debug = io.env.HERALD_DEBUG === '1';
  return createHeraldClient({
    url: flags.url || io.env.HERALD_URL || 'http://127.0.0.1:4200',
    apiKey: flags.apiKey || io.env.HERALD_API_KEY || undefined,
    maxConnectAttempts,
    flushOnExit: false,
    onError: debug ? createErrorReporter({ write: (line) => io.stderr.write(line + '\n'), intervalMs: 0 }) : () => undefined,
  });
}

/**
 * Checks that the server answers and accepts the key (`GET /api/admin/version` needs it), so that an
 * unreachable server or a bad key is one clear error before any work starts.
 */
export async function preflight(client: HeraldClient): Promise<void> {
  await client.version();
}

/**
 * Runs `use` with a client built from the command's global flags, and closes the client afterwards.
 *
 * @example
 * await withClient(command, io, (client) => client.webhooks.list());
 */
export async function withClient<T>(command: Command, io: CliIo, use: (client: HeraldClient) => Promise<T>): Promise<T> {
  const client = createCliClient(command.optsWithGlobals<ConnectionFlags>(), io);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}
