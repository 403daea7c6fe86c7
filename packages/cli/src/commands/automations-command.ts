import { HeraldError, isUuid, parseAutomationUpdate, serializeAutomation, type Automation, type Trigger } from '@herald/core';
import { HeraldApiError, type ApiIssue, type AutomationCreateBody, type HeraldClient } from '@herald/sdk';
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { withClient } from '../cli-client.js';
import { UsageError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { parseCount } from './events-query.js';
import { readDocuments } from './automations-files.js';
import { formatAutomationTable, formatTrace } from './automations-format.js';

/** Keys the server owns: dropped from files, so that the output of `get` can be edited and applied. */
const SERVER_KEYS = ['id', 'created', 'updated'];

/** Defaults written on PUT so that a key removed from a file is reset; `enabled` is left out on purpose (see applyAutomation). */
const PUT_DEFAULTS = { description: '', tags: [], actions_on_trigger: [], actions_on_resolve: [] };

/**
 * Finds one automation by id or by exact name.
 *
 * @example
 * const automation = await resolveAutomation(client, 'deploy failed');
 */
export async function resolveAutomation(client: HeraldClient, ref: string): Promise<Automation> {
  if (isUuid(ref)) {
    const byId = await client.automations.get(ref);
    if (byId) return byId;
  }
  const named = await client.automations.list({ operator: 'and_', name: { any_: [ref] } });
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new UsageError(`${named.length} automations are named "${ref}"; give the id instead (${named.map((a) => a.id).join(', ')})`);
  throw new HeraldError('AUTOMATION_NOT_FOUND', { message: `No automation has the id or name "${ref}"` });
}

/** All of a 422's issues on one line, so a file with several mistakes is fixed in one go. */
function describeRefusal(error: unknown, label: string): unknown {
  if (!(error instanceof HeraldApiError) || error.status !== 422) return error;
  const issues = (error.details as { issues?: ApiIssue[] } | undefined)?.issues ?? [];
  if (issues.length === 0) return new UsageError(`${label} was refused: ${error.message}`);
  const list = issues.map((i) => `${i.pointer || '/'}: ${i.message}`).join('; ');
  return new UsageError(`${label} is invalid: ${list}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Applied = { outcome: 'created' | 'updated' | 'unchanged'; id: string; name: string };

function withoutTriggerIds(trigger: Trigger): Trigger {
  return trigger.type === 'event' ? { ...trigger, id: '' } : { ...trigger, id: '', triggers: trigger.triggers.map(withoutTriggerIds) };
}

/**
 * True when PUTting `body` would not change `current`. Skipping such a PUT keeps the trigger ids, and
 * so the open windows, when an unchanged file is applied again. A body that does not parse is sent
 * anyway, so that the server's 422 reports it.
 */
function isUnchanged(current: Automation, body: Record<string, unknown>): boolean {
  const parsed = parseAutomationUpdate(body, { newId: () => '', validateTemplate: () => null });
  if (!parsed.ok) return false;
  const { value, present } = parsed.value;
  const next: Automation = { ...current, ...Object.fromEntries(present.map((key) => [key, value[key]])) };
  const comparable = (a: Automation) => JSON.stringify(serializeAutomation({ ...a, trigger: withoutTriggerIds(a.trigger) }));
  return comparable(next) === comparable(current);
}

/**
 * Creates the automation, or replaces the one with the same name (or `targetId`): files in git stay
 * the source of truth. On replace, omitted `description`, `tags` and `actions_on_*` are reset to their
 * defaults; an omitted `enabled` keeps the stored state, so `herald automations disable` survives a
 * re-apply.
 */
async function applyAutomation(client: HeraldClient, document: unknown, label: string, targetId: string | undefined): Promise<Applied> {
  if (!isPlainObject(document)) throw new UsageError(`${label}: expected an automation object`);
  const body = Object.fromEntries(Object.entries(document).filter(([key]) => !SERVER_KEYS.includes(key)));
  const name = body.name;
  if (typeof name !== 'string' || name === '') throw new UsageError(`${label}: "name" is required: automations are matched by name`);
  const named = `${label} (automation "${name}")`;
  const existing = targetId ? [await resolveAutomation(client, targetId)] : await client.automations.list({ operator: 'and_', name: { any_: [name] } });
  if (existing.length > 1) throw new UsageError(`${existing.length} automations are named "${name}"; pass --id to choose one`);
  try {
    if (existing.length === 0) {
      const created = await client.automations.create(body as unknown as AutomationCreateBody);
      return { outcome: 'created', id: created.id, name };
    }
    const { owner_resource: _createOnly, ...rest } = body;
    const current = existing[0]!;
    const replacement = { ...PUT_DEFAULTS, ...rest };
    if (isUnchanged(current, replacement)) return { outcome: 'unchanged', id: current.id, name };
    await client.automations.update(current.id, replacement as unknown as AutomationCreateBody);
    return { outcome: 'updated', id: current.id, name };
  } catch (error) {
    throw describeRefusal(error, named);
  }
}

function applyCommand(io: CliIo, verb: 'create' | 'update'): Command {
  return new Command(verb)
    .description(
      verb === 'create'
        ? 'create automations from a JSON or YAML file; one that exists with the same name is replaced (idempotent)'
        : 'replace automations from a JSON or YAML file, matched by name (or --id); creates missing ones (idempotent)',
    )
    .requiredOption('-f, --file <path>', 'a .json or .yaml file (one automation, a list, or several YAML documents); - for stdin')
    .option('--id <id>', 'the automation to replace, instead of matching by name (a file with one automation only)')
    .action(async (flags: { file: string; id?: string }, command: Command) => {
      const documents = await readDocuments(flags.file, io.stdin);
      if (flags.id && documents.length > 1) throw new UsageError(`--id needs a file with one automation; ${flags.file} has ${documents.length}`);
      await withClient(command, io, async (client) => {
        for (const [index, document] of documents.entries()) {
          const label = documents.length > 1 ? `${flags.file}[${index}]` : flags.file;
          const applied = await applyAutomation(client, document, label, flags.id);
          io.stdout.write(`${applied.outcome} ${applied.id} ${applied.name}\n`);
        }
      });
    });
}

/**
 * `herald automations ls|get|create|update|enable|disable|delete|trace`. Automations are named by id
 * or by their exact name. `create` and `update` apply files idempotently by name, so automations can
 * live in git.
 *
 * @example
 * herald automations create -f automations/deploys.yaml
 * herald automations disable "deploy failed"
 * herald automations trace "deploy failed"
 */
export function automationsCommand(io: CliIo): Command {
  const automations = new Command('automations').alias('automation').description('manage automations: triggers and the actions they run');

  automations
    .command('ls')
    .alias('list')
    .description('list automations')
    .option('--tag <tag...>', 'only automations with any of these tags')
    .option('--json', 'print NDJSON, one automation per line')
    .action(async (flags: { tag?: string[]; json?: boolean }, command: Command) => {
      await withClient(command, io, async (client) => {
        const filter = flags.tag ? { operator: 'and_' as const, tags: { operator: 'and_' as const, any_: flags.tag } } : null;
        const all = await client.automations.list(filter);
        if (flags.json) for (const a of all) io.stdout.write(JSON.stringify(a) + '\n');
        else io.stdout.write(all.length === 0 ? 'No automations.\n' : formatAutomationTable(all));
      });
    });

  automations
    .command('get')
    .description('print an automation as JSON (or YAML), ready to edit and apply with update -f')
    .argument('<automation>', 'id or name')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['json', 'yaml']).default('json'))
    .action(async (ref: string, flags: { output: 'json' | 'yaml' }, command: Command) => {
      await withClient(command, io, async (client) => {
        const automation = await resolveAutomation(client, ref);
        io.stdout.write(flags.output === 'yaml' ? stringify(automation) : JSON.stringify(automation, null, 2) + '\n');
      });
    });

  automations.addCommand(applyCommand(io, 'create'));
  automations.addCommand(applyCommand(io, 'update'));

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    automations
      .command(verb)
      .description(`${verb} an automation (open windows are kept)`)
      .argument('<automation>', 'id or name')
      .action(async (ref: string, _flags: unknown, command: Command) => {
        await withClient(command, io, async (client) => {
          const automation = await resolveAutomation(client, ref);
          try {
            await client.automations.patch(automation.id, { enabled });
          } catch (error) {
            throw describeRefusal(error, `automation "${automation.name}"`);
          }
          io.stdout.write(`${verb}d ${automation.id} ${automation.name}\n`);
        });
      });
  }

  automations
    .command('delete')
    .alias('rm')
    .description('delete an automation')
    .argument('<automation>', 'id or name')
    .action(async (ref: string, _flags: unknown, command: Command) => {
      await withClient(command, io, async (client) => {
        const automation = await resolveAutomation(client, ref);
        await client.automations.delete(automation.id);
        io.stdout.write(`deleted ${automation.id} ${automation.name}\n`);
      });
    });

  automations
    .command('trace')
    .description('why did (or didn’t) it fire: recent evaluation decisions, windows, waits, firings and action outcomes')
    .argument('<automation>', 'id or name')
    .addOption(new Option('--limit <n>', 'only the last n entries; 0 for all').argParser(parseCount).default(0))
    .option('--json', 'print the trace as JSON')
    .action(async (ref: string, flags: { limit: number; json?: boolean }, command: Command) => {
      await withClient(command, io, async (client) => {
        const automation = await resolveAutomation(client, ref);
        const trace = await client.automations.trace(automation.id);
        const entries = flags.limit > 0 ? trace.entries.slice(-flags.limit) : trace.entries;
        io.stdout.write(flags.json ? JSON.stringify({ ...trace, entries }, null, 2) + '\n' : formatTrace({ ...trace, entries }));
      });
    });

  return automations;
}
