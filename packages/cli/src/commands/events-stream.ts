import { Command, InvalidArgumentError } from 'commander';
import { createCliClient, preflight, type ConnectionFlags } from '../cli-client.js';
import type { CliIo } from '../cli-io.js';
import { formatEventLine } from '../event-format.js';
import { addFilterOptions, buildFilter, type FilterFlags } from '../filter-options.js';
import { parseCount } from './events-query.js';

interface StreamFlags extends FilterFlags, ConnectionFlags {
  backfill: boolean;
  /** How many of the newest stored events to start with, or all of the backfill window. */
  last: number | 'all';
  json?: boolean;
  count?: number;
}

/** Stored events printed first by default, as `tail -f` prints the last 10 lines. */
const DEFAULT_LAST = 10;

function parseLast(text: string): number | 'all' {
  if (text === 'all') return text;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new InvalidArgumentError('expected a whole number from 0 to 10000, or all');
  return n;
}

/**
 * `herald events stream`: follows live events matching the filter flags, like `tail -f`, until
 * Ctrl-C (or `--count` events). Starts with the newest 10 stored events of the backfill window
 * (`--last n`, `--last all` for the whole window, `--no-backfill` for none).
 *
 * @example
 * herald events stream --event-prefix acme. --last 50
 */
export function eventsStreamCommand(io: CliIo): Command {
  const command = new Command('stream').description('follow live events matching a filter (Ctrl-C to stop)');
  return addFilterOptions(command)
    .option('--last <n|all>', `start with the newest n stored events (all: every event of the backfill window)`, parseLast, DEFAULT_LAST)
    .option('--no-backfill', 'only new events, not the recent ones already stored')
    .option('--json', 'print NDJSON, one event per line')
    .option('--count <n>', 'stop after this many events', parseCount)
    .action(async (_flags: StreamFlags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<StreamFlags>();
      const filter = buildFilter(flags, Date.now());
      // A long-lived follower rides out server restarts: about a minute of retries before giving up.
      const client = createCliClient(flags, io, 12);
      await preflight(client);
      const subscription = client.subscribe(filter, { backfill: flags.backfill, ...(flags.last === 'all' ? {} : { backfillLimit: flags.last }) });
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
