import { readFile } from 'node:fs/promises';
import { HeraldError, isUuid } from '@herald/core';
import { HeraldApiError, type HeraldClient, type Webhook, type WebhookBody, type WebhookSignaturePreset } from '@herald/sdk';
import { Command, Option } from 'commander';
import { withClient } from '../cli-client.js';
import { UsageError } from '../cli-error.js';
import type { CliIo, CommandStatus } from '../cli-io.js';
import { formatTable } from './automations-format.js';

const PRESETS: readonly WebhookSignaturePreset[] = ['standard-webhooks', 'github', 'stripe'];

/** Where a template comes from: `--template`, or `--template-file` (`-` for stdin). */
interface TemplateFlags {
  template?: string;
  templateFile?: string;
}

interface WriteFlags extends TemplateFlags {
  name?: string;
  description?: string;
  requireApiKey?: boolean;
  signature?: WebhookSignaturePreset | 'none';
  signatureSecretEnv?: string;
  tolerance?: string;
  rateLimit?: string;
  disabled?: boolean;
  json?: boolean;
}

async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

interface PreviewFlags extends TemplateFlags {
  json?: boolean;
}

/** The template the flags give, if any. */
async function templateFrom(flags: TemplateFlags, io: CliIo): Promise<string | undefined> {
  if (flags.template !== undefined && flags.templateFile !== undefined) throw new UsageError('give --template or --template-file, not both');
  if (flags.templateFile === undefined) return flags.template;
  return flags.templateFile === '-' ? readStdin(io) : readFile(flags.templateFile, 'utf8');
}

/** The body of a create or update from the flags; a secret only ever comes from the environment. */
async function writeBody(flags: WriteFlags, io: CliIo): Promise<WebhookBody> {
  const body: WebhookBody = {};
  if (flags.name !== undefined) body.name = flags.name;
  if (flags.description !== undefined) body.description = flags.description;
  const template = await templateFrom(flags, io);
  if (template !== undefined) body.template = template;
  if (flags.requireApiKey !== undefined) body.require_api_key = flags.requireApiKey;
  if (flags.disabled) body.enabled = false;
  if (flags.rateLimit !== undefined) {
    const rate = Number(flags.rateLimit);
    if (flags.rateLimit !== 'default' && !(rate > 0)) throw new UsageError(`--rate-limit expects requests per second or "default", got "${flags.rateLimit}"`);
    body.rate_limit = flags.rateLimit === 'default' ? null : rate;
  }
  if (flags.signature === 'none') body.signature = null;
  else if (flags.signature !== undefined) {
    const signature: NonNullable<WebhookBody['signature']> = { preset: flags.signature };
    if (flags.signatureSecretEnv !== undefined) {
      const secret = io.env[flags.signatureSecretEnv];
      if (secret === undefined || secret === '') throw new UsageError(`--signature-secret-env: the environment variable ${flags.signatureSecretEnv} is not set`);
      signature.secret = secret;
    }
    if (flags.tolerance !== undefined) signature.tolerance_seconds = Number(flags.tolerance);
    body.signature = signature;
  } else if (flags.signatureSecretEnv !== undefined || flags.tolerance !== undefined) {
    throw new UsageError('--signature-secret-env and --tolerance need --signature <preset>');
  }
  return body;
}

function addWriteOptions(command: Command): Command {
  return command
    .option('--description <text>', 'what the webhook is for')
    .option('--template <jinja>', 'the Jinja template that renders one JSON event')
    .option('--template-file <path>', 'read the template from a file; - for stdin')
    .option('--require-api-key', 'callers must send Authorization: Bearer <key>; the key is printed once')
    .option('--no-require-api-key', 'callers need no API key')
    .addOption(new Option('--signature <preset>', 'verify callers\' signatures').choices([...PRESETS, 'none']))
    .option('--signature-secret-env <VAR>', 'the signing secret, read from the environment variable VAR')
    .option('--tolerance <seconds>', 'how old a signed timestamp may be (default 300)')
    .option('--rate-limit <n|default>', 'requests per second; "default" for the server\'s')
    .option('--json', 'print the webhook as JSON');
}

async function resolveWebhook(client: HeraldClient, ref: string): Promise<Webhook> {
  if (isUuid(ref)) {
    const byId = await client.webhooks.get(ref);
    if (byId) return byId;
  }
  const named = await client.webhooks.list({ names: [ref] });
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new UsageError(`${named.length} webhooks are named "${ref}"; give the id instead`);
  throw new HeraldError('WEBHOOK_NOT_FOUND', { message: `No webhook has the id or name "${ref}"` });
}

/** Prints a written webhook: its URL on stdout (or the JSON), and a key it issued, once, on stderr. */
function printWritten(io: CliIo, webhook: Webhook, flags: { json?: boolean }, verb: string): void {
  if (flags.json) io.stdout.write(JSON.stringify(webhook) + '\n');
  else io.stdout.write(`${webhook.endpoint}\n`);
  io.stderr.write(`${verb} webhook ${webhook.id} "${webhook.name}"${webhook.enabled ? '' : ' (disabled)'}.\n`);
  if (webhook.api_key) io.stderr.write(`API key (shown once, send it as Authorization: Bearer <key>): ${webhook.api_key}\n`);
}

function formatWebhookTable(webhooks: readonly Webhook[]): string {
  return formatTable([
    ['ID', 'NAME', 'ENABLED', 'PROTECTION', 'URL'],
    ...webhooks.map((w) => [
      w.id,
      w.name,
      w.enabled ? 'yes' : 'no',
      [w.require_api_key ? 'api-key' : '', w.signature?.preset ?? ''].filter(Boolean).join('+') || '-',
      w.endpoint,
    ]),
  ]);
}

/**
 * `herald webhooks ls|create|update|enable|disable|rotate|delete|requests|replay|preview`: inbound webhooks,
 * each an unguessable URL whose requests a template turns into events.
 *
 * @example
 * herald webhooks create --name ci --template-file ci.jinja --require-api-key
 * herald webhooks requests ci
 * herald webhooks replay ci 0193…
 * herald webhooks preview ci --template-file ci.jinja
 */
export function webhooksCommand(io: CliIo, status: CommandStatus): Command {
  const webhooks = new Command('webhooks').alias('webhook').description('manage inbound webhooks: URLs whose requests become events');

  webhooks
    .command('ls')
    .alias('list')
    .description('list webhooks')
    .option('--json', 'print NDJSON, one webhook per line')
    .action(async (flags: { json?: boolean }, command: Command) => {
      await withClient(command, io, async (client) => {
        const all = await client.webhooks.list();
        if (flags.json) for (const w of all) io.stdout.write(JSON.stringify(w) + '\n');
        else io.stdout.write(all.length === 0 ? 'No webhooks.\n' : formatWebhookTable(all));
      });
    });

  addWriteOptions(webhooks.command('create').description('create a webhook; prints its URL').requiredOption('--name <name>', 'a name to recognise it by'))
    .option('--disabled', 'create it disabled')
    .action(async (flags: WriteFlags, command: Command) => {
      const body = await writeBody(flags, io);
      if (body.template === undefined) throw new UsageError('a webhook needs a template: --template or --template-file');
      await withClient(command, io, async (client) => {
        printWritten(io, await client.webhooks.create({ ...body, name: flags.name!, template: body.template }), flags, 'Created');
      });
    });

  addWriteOptions(webhooks.command('update').description('change a webhook; fields not given are kept').argument('<webhook>', 'id or name'))
    .option('--name <name>', 'a new name')
    .action(async (ref: string, flags: WriteFlags, command: Command) => {
      const body = await writeBody(flags, io);
      await withClient(command, io, async (client) => {
        const webhook = await resolveWebhook(client, ref);
        printWritten(io, await client.webhooks.update(webhook.id, body), flags, 'Updated');
      });
    });

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    webhooks
      .command(name)
      .description(enabled ? 'accept requests again' : 'answer 404 to every request until enabled')
      .argument('<webhook>', 'id or name')
      .action(async (ref: string, _flags: unknown, command: Command) => {
        await withClient(command, io, async (client) => {
          const webhook = await resolveWebhook(client, ref);
          const updated = enabled ? await client.webhooks.enable(webhook.id) : await client.webhooks.disable(webhook.id);
          io.stdout.write(`${updated.enabled ? 'enabled' : 'disabled'} ${updated.id} ${updated.name}\n`);
        });
      });
  }

  webhooks
    .command('rotate')
    .description('issue a new URL; the old one stops working at once')
    .argument('<webhook>', 'id or name')
    .option('--api-key', 'also issue a new API key (printed once)')
    .action(async (ref: string, flags: { apiKey?: boolean }, command: Command) => {
      await withClient(command, io, async (client) => {
        const webhook = await resolveWebhook(client, ref);
        const rotated = await client.webhooks.rotate(webhook.id, { apiKey: flags.apiKey === true });
        printWritten(io, rotated, {}, 'Rotated');
        io.stderr.write(`The old URL ${webhook.endpoint} no longer works.\n`);
      });
    });

  webhooks
    .command('delete')
    .alias('rm')
    .description('delete a webhook and its captured requests')
    .argument('<webhook>', 'id or name')
    .action(async (ref: string, _flags: unknown, command: Command) => {
      await withClient(command, io, async (client) => {
        const webhook = await resolveWebhook(client, ref);
        await client.webhooks.delete(webhook.id);
        io.stdout.write(`deleted ${webhook.id} ${webhook.name}\n`);
      });
    });

  webhooks
    .command('requests')
    .description('the last requests the webhook received, newest first (credentials redacted)')
    .argument('<webhook>', 'id or name')
    .option('--limit <n>', 'at most this many')
    .option('--json', 'print NDJSON, one request per line, with headers and body')
    .action(async (ref: string, flags: { limit?: string; json?: boolean }, command: Command) => {
      await withClient(command, io, async (client) => {
        const webhook = await resolveWebhook(client, ref);
        const requests = await client.webhooks.requests(webhook.id, flags.limit ? { limit: Number(flags.limit) } : {});
        if (flags.json) for (const r of requests) io.stdout.write(JSON.stringify(r) + '\n');
        else if (requests.length === 0) io.stdout.write('No captured requests.\n');
        else {
          io.stdout.write(
            formatTable([
              ['ID', 'RECEIVED', 'METHOD', 'STATUS', 'OUTCOME', 'DETAIL'],
              ...requests.map((r) => [r.id, r.received, r.method, String(r.status), r.outcome, r.error ?? r.event_ids.join(',')]),
            ]),
          );
        }
      });
    });

  webhooks
    .command('replay')
    .description('re-run a captured request through the current template (its events are emitted)')
    .argument('<webhook>', 'id or name')
    .argument('<request-id>', 'as `herald webhooks requests` shows it')
    .action(async (ref: string, requestId: string, _flags: unknown, command: Command) => {
      await withClient(command, io, async (client) => {
        const webhook = await resolveWebhook(client, ref);
        const result = await client.webhooks.replay(webhook.id, requestId);
        if (result.outcome === 'accepted') io.stdout.write(`accepted: ${result.event_ids.join(' ')}\n`);
        else {
          io.stdout.write(`failed (${result.reason}): ${result.error}\n`);
          status.exitCode = 1;
        }
      });
    });

  webhooks
    .command('preview')
    .description('render a captured request without emitting anything: the newest capture unless one is named')
    .argument('<webhook>', 'id or name')
    .argument('[request-id]', 'as `herald webhooks requests` shows it')
    .option('--template <jinja>', 'render this template instead of the webhook\'s own')
    .option('--template-file <path>', 'read that template from a file; - for stdin')
    .option('--json', 'print NDJSON, one event per line')
    .action(async (ref: string, requestId: string | undefined, flags: PreviewFlags, command: Command) => {
      const template = await templateFrom(flags, io);
      await withClient(command, io, async (client) => {
        const webhook = await resolveWebhook(client, ref);
        const preview = await client.webhooks
          .preview(webhook.id, { ...(template === undefined ? {} : { template }), ...(requestId ? { request_id: requestId } : {}) })
          .catch((error: unknown) => {
            // Without a request id, the server's 404 means the webhook has captured nothing yet.
            const noCapture = !requestId && error instanceof HeraldApiError && error.code === 'WEBHOOK_REQUEST_NOT_FOUND';
            throw noCapture ? new UsageError(`${webhook.name} has no captured request to preview yet: send one to ${webhook.endpoint} first`) : error;
          });
        if (preview.ok) {
          for (const event of preview.events) io.stdout.write(flags.json ? JSON.stringify(event) + '\n' : JSON.stringify(event, null, 2) + '\n');
          return;
        }
        io.stdout.write(`failed (${preview.reason}): ${preview.error}\n`);
        if (preview.rendered !== null) io.stdout.write(`rendered:\n${preview.rendered}\n`);
        status.exitCode = 1;
      });
    });

  return webhooks;
}
