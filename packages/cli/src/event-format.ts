import type { ReceivedEvent } from '@herald/sdk';

const COLUMNS = ['TIME', 'EVENT', 'RESOURCE'] as const;

function row(event: ReceivedEvent): [string, string, string] {
  return [event.occurred, event.event, event.resource['prefect.resource.id'] ?? ''];
}

/**
 * Formats events as an aligned table with a header: time, event name, primary resource id.
 *
 * @example
 * formatEventTable(events)
 * // 'TIME                  EVENT          RESOURCE\n2026-11-22T10:00:00Z  acme.deployed  acme.service.api\n'
 */
export function formatEventTable(events: readonly ReceivedEvent[]): string {
  const rows = [COLUMNS as unknown as [string, string, string], ...events.map(row)];
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `${r[0].padEnd(widths[0]!)}  ${r[1].padEnd(widths[1]!)}  ${r[2]}`.trimEnd() + '\n').join('');
}

/** One streamed event as a line: time, event and resource separated by two spaces. */
export function formatEventLine(event: ReceivedEvent): string {
  return row(event).join('  ') + '\n';
}
