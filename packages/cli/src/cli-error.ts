import { HeraldError } from '@herald/core';
import { HeraldApiError, HeraldClientError, type ApiIssue } from '@herald/sdk';

/**
 * An error in how the command was used (a bad flag value, a missing file). Printed as its message,
 * with exit code 2 like other usage errors.
 *
 * @example
 * throw new UsageError('--label expects key=value, got "tier"');
 */
export class UsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Renders any error as one line for stderr: the code when there is one, the message, and the first
 * validation issue. With `debug` (HERALD_DEBUG=1) the stack follows on the next lines.
 *
 * @example
 * formatCliError(new HeraldClientError('CONNECTION_FAILED', 'Cannot reach Herald at http://127.0.0.1:4200: ECONNREFUSED'), false)
 * // 'herald: CONNECTION_FAILED: Cannot reach Herald at http://127.0.0.1:4200: ECONNREFUSED'
 */
export function formatCliError(error: unknown, debug: boolean): string {
  const line = `herald: ${describe(error)}`.replace(/\s*\n\s*/g, ' ');
  if (debug && error instanceof Error && error.stack) return `${line}\n${error.stack}`;
  return line;
}

function describe(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof HeraldApiError) return `${error.code} (HTTP ${error.status}): ${error.message}${firstIssue(error.message, error.details)}`;
  if (error instanceof HeraldClientError || error instanceof HeraldError) return `${error.code}: ${error.message}${firstIssue(error.message, error.details)}`;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The first validation issue, unless the message already says it, and how many more there are. */
function firstIssue(message: string, details: unknown): string {
  const issues = (details as { issues?: ApiIssue[] } | undefined)?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return '';
  const [first] = issues;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  if (!first || message.includes(first.message)) return more;
  return ` — ${first.pointer || '/'}: ${first.message}${more}`;
}
