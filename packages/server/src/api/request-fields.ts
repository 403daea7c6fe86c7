import { toPointer } from '@herald/core';
import type { RequestIssue } from './error-response.js';

/**
 * Small readers for request fields that report problems in pydantic's vocabulary (`missing`,
 * `int_type`, `less_than_equal`, …), so that the 422 items look like Prefect's. Each returns the value
 * or pushes an issue.
 */

export function requestIssue(part: RequestIssue['in'], path: (string | number)[], type: string, message: string): RequestIssue {
  return { in: part, pointer: toPointer(path), path, type, message };
}

/** The body as an object; an omitted body counts as `{}`. */
export function readBodyObject(body: unknown, issues: RequestIssue[]): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  issues.push(requestIssue('body', [], 'dict_type', 'Input should be a valid dictionary'));
  return {};
}

export interface IntegerRule {
  min: number;
  max: number;
  fallback: number;
}

/** An integer body field within `[min, max]`, or the fallback when absent. */
export function readInteger(body: Record<string, unknown>, key: string, rule: IntegerRule, issues: RequestIssue[]): number {
  const value = body[key];
  if (value === undefined) return rule.fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    issues.push(requestIssue('body', [key], 'int_type', 'Input should be a valid integer'));
  } else if (value < rule.min) {
    issues.push(requestIssue('body', [key], 'greater_than_equal', `Input should be greater than or equal to ${rule.min}`));
  } else if (value > rule.max) {
    issues.push(requestIssue('body', [key], 'less_than_equal', `Input should be less than or equal to ${rule.max}`));
  } else {
    return value;
  }
  return rule.fallback;
}

/** A finite number body field of at least `min`, or the fallback when absent. */
export function readNumber(
  body: Record<string, unknown>,
  key: string,
  rule: { min: number; fallback: number },
  issues: RequestIssue[],
): number {
  const value = body[key];
  if (value === undefined) return rule.fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.push(requestIssue('body', [key], 'float_type', 'Input should be a valid number'));
  } else if (value < rule.min) {
    issues.push(requestIssue('body', [key], 'greater_than_equal', `Input should be greater than or equal to ${rule.min}`));
  } else {
    return value;
  }
  return rule.fallback;
}

function quoteList(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)!}` : quoted.join('');
}

/** One of `allowed`, from the body or the path. */
export function readEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  where: { part: 'body' | 'path'; path: (string | number)[] },
  issues: RequestIssue[],
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  issues.push(requestIssue(where.part, where.path, 'enum', `Input should be ${quoteList(allowed)}`));
  return undefined;
}
