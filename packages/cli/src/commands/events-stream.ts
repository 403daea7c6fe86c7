import { Command } from 'commander';
import { createCliClient, preflight, type ConnectionFlags } from '../cli-client.js';
import type { CliIo } from '../cli-io.js';
import { formatEventLine } from '../event-format.js';
import { addFilterOptions, buildFilter, type FilterFlags } from '../filter-options.js';
import { parseCount } from './events-query.js';

interface StreamFlags extends FilterFlags, ConnectionFlags {
  backfill: boolean;
  json?: boolean;
  count?: number;
}

/**
 * `herald events stream`: follows live events matching the filter flags, like `tail -f`, until
 * Ctrl-C (or `--count` events). Starts with the recent backfill unless `--no-backfill`.
 *
 * @example
 * herald events stream --event-prefix acme. --no-backfill
 */
export function eventsStreamCommand(io: CliIo): Command {
  const command = new Command('stream').description('follow live events matching a filter (Ctrl-C to stop)');
  return addFilterOptions(command)
    .option('--no-backfill', 'only new events, not the recent ones already stored')
    .option('--json', 'print NDJSON, one event per line')
    .option('--count <n>', 'stop after this many events', parseCount)
    .action(async (_flags: StreamFlags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<StreamFlags>();
      const filter = buildFilter(flags, Date.now());
      // A long-lived follower rides out server restarts: about a minute of retries before giving up.
      const client = createCliClient(flags, io, 12);
      await preflight(client);
      const subscription = client.subscribe(filter, { backfill: flags.backfill });
      const stop = () => void subscription.close();
      io.signal.addEventListener('abort', stop, { once: true });
      let seen = 0;
      try {
        if (flags.count === 0) return;
        for await (const event of subscription) {
          io.stdout.write(flags.json ? JSON.stringify(event) + '\n' : formatEventLine(event));
          if (flags.count !== undefined && ++seen >= flags.count) break;
        }
      } finally {
        io.signal.removeEventListener('abort', stop);
        await subscription.close();
        await client.close();
      }
    });
}
