import type { EventFilterInput, RelatedFilterInput, ResourceSpecification } from '@herald/core';
import { Option, type Command } from 'commander';
import { UsageError } from './cli-error.js';
import { parseTimeFlag } from './relative-time.js';

/** The filter flags shared by `events query` and `events stream`, as commander parses them. */
export interface FilterFlags {
  since?: string;
  until?: string;
  event: string[];
  eventPrefix: string[];
  resource: string[];
  resourcePrefix: string[];
  label: string[];
  related: string[];
  text?: string;
}

/** Commander's accumulator for a repeatable flag. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Adds the filter flags to a command.
 *
 * @example
 * addFilterOptions(new Command('query')).action((flags: FilterFlags) => buildFilter(flags, Date.now()));
 */
export function addFilterOptions(command: Command): Command {
  return command
    .option('--since <time>', 'only events at or after this time: ISO-8601, or a duration ago such as 15m, 1h, 7d')
    .option('--until <time>', 'only events at or before this time (same forms as --since)')
    .addOption(new Option('--event <name>', 'event name, exactly (repeatable: any of them)').argParser(collect).default([]))
    .addOption(new Option('--event-prefix <prefix>', 'event name prefix, e.g. prefect.flow-run. (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--resource <id>', 'primary resource id, exactly (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--resource-prefix <prefix>', 'primary resource id prefix (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--label <key=pattern>', 'primary resource label glob; ! negates (repeatable: every key must match)').argParser(collect).default([]))
    .addOption(new Option('--related <role:id|id>', 'a related resource, by role and id or by id (repeatable: each must be present)').argParser(collect).default([]))
    .option('--text <query>', 'full-text search: words, "phrases", -exclude, +require');
}

/**
 * Turns the flags into an `EventFilter`. Relative times are resolved against `nowMs`.
 *
 * @example
 * buildFilter({ since: '1h', event: [], eventPrefix: ['acme.'], resource: [], resourcePrefix: [], label: [], related: [] }, Date.now())
 * // { occurred: { since: '…' }, event: { prefix: ['acme.'] } }
 */
export function buildFilter(flags: FilterFlags, nowMs: number): EventFilterInput {
  const filter: EventFilterInput = {};
  if (flags.since !== undefined || flags.until !== undefined) {
    filter.occurred = {
      ...(flags.since !== undefined ? { since: parseTimeFlag(flags.since, nowMs) } : {}),
      ...(flags.until !== undefined ? { until: parseTimeFlag(flags.until, nowMs) } : {}),
    };
  }
  if (flags.event.length > 0 || flags.eventPrefix.length > 0) {
    filter.event = {
      ...(flags.event.length > 0 ? { name: flags.event } : {}),
      ...(flags.eventPrefix.length > 0 ? { prefix: flags.eventPrefix } : {}),
    };
  }
  const labels = parseLabels(flags.label);
  if (flags.resource.length > 0 || flags.resourcePrefix.length > 0 || labels) {
    filter.resource = {
      ...(flags.resource.length > 0 ? { id: flags.resource } : {}),
      ...(flags.resourcePrefix.length > 0 ? { id_prefix: flags.resourcePrefix } : {}),
      ...(labels ? { labels } : {}),
    };
  }
  if (flags.related.length > 0) filter.related = flags.related.map(parseRelated);
  if (flags.text !== undefined) filter.text = { query: flags.text };
  return filter;
}

/** `key=value` pairs; a key given twice collects both patterns (either may match). */
export function parseLabels(pairs: string[]): ResourceSpecification | undefined {
  if (pairs.length === 0) return undefined;
  const spec: Record<string, string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label expects key=value, got "${pair}"`);
    (spec[pair.slice(0, eq)] ??= []).push(pair.slice(eq + 1));
  }
  return spec;
}

/** `role:id` matches that resource in that role; a bare `id` matches it in any role. */
function parseRelated(text: string): RelatedFilterInput {
  const colon = text.indexOf(':');
  if (colon === 0 || colon === text.length - 1) throw new UsageError(`--related expects role:id or id, got "${text}"`);
  if (colon < 0) return { id: [text] };
  return { resources_in_roles: [[text.slice(colon + 1), text.slice(0, colon)]] };
}
