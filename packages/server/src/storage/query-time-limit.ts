import { HeraldError } from '@herald/core';

/**
 * The error of a read that ran past `HERALD_QUERY_TIMEOUT`: a 422, since the same filter would run as
 * long again, and a narrower one is the fix.
 *
 * @example
 * queryTimeoutError(30_000).message // 'The query ran longer than 30 s, the limit (HERALD_QUERY_TIMEOUT); …'
 */
export function queryTimeoutError(limitMs: number): HeraldError {
  const limit = limitMs >= 1000 ? `${limitMs / 1000} s` : `${limitMs} ms`;
  return new HeraldError('QUERY_TIMEOUT', {
    message: `The query ran longer than ${limit}, the limit (HERALD_QUERY_TIMEOUT); narrow its filter: a shorter occurred range, an event prefix or a resource id.`,
    details: { limit_ms: limitMs },
  });
}
