import type { ReceivedEvent } from '@herald/sdk';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createCliClient, type ConnectionFlags } from '../cli-client.js';
import type { CliIo } from '../cli-io.js';
import { formatEventTable } from '../event-format.js';
import { addFilterOptions, buildFilter, type FilterFlags } from '../filter-options.js';

interface QueryFlags extends FilterFlags, ConnectionFlags {
  limit: number;
  order: 'asc' | 'desc';
  json?: boolean;
}

/** Parses a non-negative integer flag. */
export function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return n;
}

/**
 * What an empty answer prints. `--event` and `--resource` match whole values, which a newcomer who
 * typed the start of a name does not expect: the message says so and names the flag that would match.
 *
 * @example
 * noMatchMessage({ event: ['acme.row'], resource: [] })
 * // 'No events match. (--event matches whole names; for names that start with it, use --event-prefix acme.row)\n'
 */
export function noMatchMessage(flags: Pick<FilterFlags, 'event' | 'resource'>): string {
  const hints = [
    flags.event[0] === undefined ? null : `--event matches whole names; for names that start with it, use --event-prefix ${flags.event[0]}`,
    flags.resource[0] === undefined ? null : `--resource matches whole ids; for ids that start with it, use --resource-prefix ${flags.resource[0]}`,
  ].filter((hint) => hint !== null);
  return `No events match.${hints.length > 0 ? ` (${hints.join('; ')})` : ''}\n`;
}

/**
 * `herald events query`: stored events matching the filter flags, newest first, as a table or NDJSON.
 *
 * @example
 * herald events query --since 1h --event-prefix prefect.flow-run. --limit 20
 * herald events query --resource acme.service.api --json > events.ndjson
 */
export function eventsQueryCommand(io: CliIo): Command {
  const command = new Command('query').description('list stored events matching a filter');
  return addFilterOptions(command)
    .addOption(new Option('--limit <n>', 'most events to print; 0 for all').argParser(parseCount).default(100))
    .addOption(new Option('--order <order>', 'by occurred time').choices(['asc', 'desc']).default('desc'))
    .option('--json', 'print NDJSON, one event per line, as stored')
    .action(async (_flags: QueryFlags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<QueryFlags>();
      const filter = { ...buildFilter(flags, Date.now()), order: flags.order === 'asc' ? ('ASC' as const) : ('DESC' as const) };
      const client = createCliClient(flags, io);
      try {
        const events = client.query(filter, { limit: flags.limit === 0 ? Infinity : flags.limit });
        if (flags.json) {
          for await (const event of events) io.stdout.write(JSON.stringify(event) + '\n');
          return;
        }
        const rows: ReceivedEvent[] = [];
        for await (const event of events) rows.push(event);
        io.stdout.write(rows.length === 0 ? noMatchMessage(flags) : formatEventTable(rows));
      } finally {
        await client.close();
      }
    });
}
