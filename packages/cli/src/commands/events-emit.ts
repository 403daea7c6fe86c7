import { HeraldApiError, HeraldClientError, type ApiIssue, type EmitEventInput, type EmitReceipt, type HeraldClient } from '@herald/sdk';
import { Command, Option } from 'commander';
import { createCliClient, preflight, type ConnectionFlags } from '../cli-client.js';
import { UsageError } from '../cli-error.js';
import type { CliIo, CommandStatus } from '../cli-io.js';
import { openEventSource } from '../event-source.js';
import { collect } from '../filter-options.js';
import { ProgressBar } from '../progress-bar.js';
import { parseTimeFlag } from '../relative-time.js';

interface EmitFlags extends ConnectionFlags {
  event?: string;
  resource?: string;
  label: string[];
  related: string[];
  payload?: string;
  id?: string;
  occurred?: string;
  follows?: string;
  file?: string;
}

/** Unacknowledged events the command keeps in flight while streaming a file (below the SDK's maxQueue). */
const WINDOW = 5_000;

/**
 * `herald events emit`: one event from flags, or many from `--file` (JSON, NDJSON, `-` for stdin).
 *
 * @example
 * herald events emit --event acme.deploy.finished --resource acme.service.api --label env=prod
 * herald events emit --file events.ndjson
 */
export function eventsEmitCommand(io: CliIo, status: CommandStatus): Command {
  return new Command('emit')
    .description('emit one event from flags, or many from a file')
    .option('--event <name>', 'the event name, e.g. acme.deploy.finished')
    .option('--resource <id>', 'the primary resource id (prefect.resource.id)')
    .addOption(new Option('--label <key=value>', 'another label of the primary resource (repeatable)').argParser(collect).default([]))
    .addOption(new Option('--related <role:id>', 'a related resource with its role (repeatable)').argParser(collect).default([]))
    .option('--payload <json>', 'the payload, a JSON object')
    .option('--id <uuid>', 'the event id (default: a new UUIDv7)')
    .option('--occurred <time>', 'when it happened: ISO-8601 or a duration ago (default: now)')
    .option('--follows <uuid>', 'the id of the event this one follows (automations order by it)')
    .option('--file <path>', 'emit every event of a .json file (one event or an array), an NDJSON file, or - for NDJSON on stdin')
    .action(async (_flags: EmitFlags, command: Command) => {
      const flags = command.optsWithGlobals<EmitFlags>();
      if (flags.file !== undefined) {
        if (flags.event !== undefined || flags.resource !== undefined) throw new UsageError('use either --file or --event/--resource, not both');
        status.exitCode = await emitFile(flags.file, flags, io);
        return;
      }
      await emitFromFlags(flags, io);
    });
}

async function emitFromFlags(flags: EmitFlags, io: CliIo): Promise<void> {
  if (flags.event === undefined || flags.resource === undefined) throw new UsageError('--event and --resource are required (or use --file)');
  const input: EmitEventInput = {
    event: flags.event,
    resource: { ...parseLabelValues(flags.label), 'prefect.resource.id': flags.resource },
    related: flags.related.map(parseRelatedResource),
    ...(flags.payload !== undefined ? { payload: parsePayload(flags.payload) } : {}),
    ...(flags.id !== undefined ? { id: flags.id } : {}),
    ...(flags.occurred !== undefined ? { occurred: parseTimeFlag(flags.occurred, Date.now()) } : {}),
    ...(flags.follows !== undefined ? { follows: flags.follows } : {}),
  };
  const client = createCliClient(flags, io);
  try {
    const receipt = await client.emitEvent(input);
    io.stdout.write(`${receipt.id} ${receipt.result}\n`);
  } finally {
    await client.close({ timeoutMs: 5_000 }).catch(() => undefined);
  }
}

/** Streams a file through one client; returns the exit code (1 when any event was rejected). */
async function emitFile(path: string, flags: EmitFlags, io: CliIo): Promise<number> {
  const source = await openEventSource(path, io.stdin);
  const client = createCliClient(flags, io);
  let started = performance.now();
  const progress = new ProgressBar(io.stderr);
  const counts = { sent: 0, inserted: 0, duplicate: 0, conflict: 0, rejected: 0 };
  // Set by a callback: an outage or refusal (not a verdict on one event) that ends the run.
  const failure: { error: Error | null } = { error: null };
  let bytesRead = 0;
  const reject = (location: string, reason: string) => {
    counts.rejected++;
    progress.clear();
    io.stderr.write(`${location}: rejected: ${reason}\n`);
  };
  const outstanding: Promise<void>[] = [];
  try {
    await preflight(client);
    started = performance.now();
    for await (const item of source.items) {
      bytesRead = item.bytesRead;
      if (failure.error) break;
      if (!item.ok) {
        reject(item.location, item.reason);
        continue;
      }
      const sent = send(client, item.value);
      if (!sent.ok) {
        reject(item.location, sent.reason);
        continue;
      }
      counts.sent++;
      outstanding.push(
        sent.receipt.then(
          (receipt) => void counts[receipt.result]++,
          (error: unknown) => {
            if (isRejection(error)) reject(item.location, describeRejection(error));
            else failure.error ??= error instanceof Error ? error : new Error(String(error));
          },
        ),
      );
      if (outstanding.length >= WINDOW) await outstanding.shift();
      progress.update({ count: counts.sent, bytesRead, totalBytes: source.totalBytes, elapsedMs: performance.now() - started });
    }
    await Promise.all(outstanding);
  } finally {
    progress.clear();
    await client.close({ timeoutMs: 5_000 }).catch(() => undefined);
  }
  if (failure.error) throw failure.error;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const stored = counts.inserted + counts.duplicate + counts.conflict;
  const notes = [counts.duplicate > 0 ? `${counts.duplicate} already stored` : '', counts.conflict > 0 ? `${counts.conflict} with a conflicting id` : ''].filter(Boolean);
  io.stderr.write(`${stored} ${stored === 1 ? 'event' : 'events'} stored${notes.length > 0 ? ` (${notes.join(', ')})` : ''}, ${counts.rejected} rejected, in ${seconds}s\n`);
  return counts.rejected > 0 ? 1 : 0;
}

/** Hands one parsed item to the SDK; local validation failures come back as a reason, not a throw. */
function send(client: HeraldClient, value: unknown): { ok: true; receipt: Promise<EmitReceipt> } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  try {
    return { ok: true, receipt: client.emitEvent(value as EmitEventInput) };
  } catch (error) {
    if (isRejection(error)) return { ok: false, reason: describeRejection(error) };
    throw error;
  }
}

/** A verdict on the event itself (local validation or the server's 422), as opposed to an outage. */
function isRejection(error: unknown): error is HeraldClientError {
  if (error instanceof HeraldApiError) return error.status === 422;
  return error instanceof HeraldClientError && error.code === 'EVENT_VALIDATION_FAILED';
}

function describeRejection(error: HeraldClientError): string {
  const issues = (error.details as { issues?: ApiIssue[] } | undefined)?.issues ?? [];
  if (issues.length === 0) return error.message;
  return issues.map((i) => `${i.pointer || '/'}: ${i.message}`).join('; ');
}

function parseLabelValues(pairs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label expects key=value, got "${pair}"`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

function parseRelatedResource(text: string): Record<string, string> {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new UsageError(`--related expects role:id, got "${text}"`);
  return { 'prefect.resource.id': text.slice(colon + 1), 'prefect.resource.role': text.slice(0, colon) };
}

function parsePayload(text: string): EmitEventInput['payload'] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--payload is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError('--payload must be a JSON object');
  return value as EmitEventInput['payload'];
}
