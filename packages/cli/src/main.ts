import { CommanderError } from 'commander';
import { formatCliError, UsageError } from './cli-error.js';
import type { CliIo, CommandStatus } from './cli-io.js';
import { createProgram } from './program.js';

/**
 * Runs the `herald` command line and resolves with the exit code. Every failure becomes one line on
 * stderr (with the stack only when HERALD_DEBUG=1); nothing here calls `process.exit`.
 *
 * @example
 * process.exitCode = await main(['events', 'query', '--since', '1h'], processIo());
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const status: CommandStatus = { exitCode: 0 };
  const program = createProgram(io, status);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status.exitCode;
  } catch (error) {
    // Commander has already printed its one-line message (or the help or version, exit code 0).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.stderr.write(formatCliError(error, io.env.HERALD_DEBUG === '1') + '\n');
    return error instanceof UsageError ? error.exitCode : 1;
  }
}
