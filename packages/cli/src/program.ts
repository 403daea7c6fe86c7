import { Command } from 'commander';
import type { CliIo, CommandStatus } from './cli-io.js';
import { automationsCommand } from './commands/automations-command.js';
import { connectionsCommand } from './commands/connections-command.js';
import { eventsEmitCommand } from './commands/events-emit.js';
import { eventsQueryCommand } from './commands/events-query.js';
import { eventsStreamCommand } from './commands/events-stream.js';
import { keysCommand } from './commands/keys.js';
import { startCommand } from './commands/start.js';
import { webhooksCommand } from './commands/webhooks-command.js';

export const CLI_VERSION = '0.1.0';

/**
 * Builds the `herald` command tree. Output goes to `io`; commander's exits become exceptions, which
 * `main` turns into exit codes.
 *
 * @example
 * await createProgram(io, status).parseAsync(['events', 'query'], { from: 'user' });
 */
export function createProgram(io: CliIo, status: CommandStatus): Command {
  const program = new Command('herald')
    .description('Herald: a self-hosted event platform, wire-compatible with Prefect events')
    .version(CLI_VERSION)
    .option('--url <url>', 'the Herald server (env HERALD_URL, default http://127.0.0.1:4200)')
    .option('--api-key <key>', 'the API key (env HERALD_API_KEY)')
    .showSuggestionAfterError();

  program.addCommand(startCommand(io));

  const events = new Command('events').description('emit, query and stream events');
  events.addCommand(eventsEmitCommand(io, status));
  events.addCommand(eventsQueryCommand(io));
  events.addCommand(eventsStreamCommand(io));
  program.addCommand(events);
  program.addCommand(keysCommand(io));
  program.addCommand(automationsCommand(io));
  program.addCommand(connectionsCommand(io));
  program.addCommand(webhooksCommand(io, status));

  // Every command reports through `io` and exits through `main`, never through process.exit.
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`herald: ${text.replace(/^error: /, '')}`),
    });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}
