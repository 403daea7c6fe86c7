import { STATUS_CODES } from 'node:http';
import { ERROR_CATALOGUE, HeraldError, type ErrorCode, type ValidationIssue } from '@herald/core';

/**
 * A validation issue of a request; `in` says which part it points into (the body by default).
 * `model` is a model-level issue about the stored object merged with the request (Prefect's PATCH of
 * an automation): its `loc` is the bare path, `[]`, with no part prefix.
 */
export interface RequestIssue extends ValidationIssue {
  in?: 'body' | 'query' | 'path' | 'model';
}

/** Herald's one error body, for Herald-native routes (and the base of every error body). */
export interface HeraldErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
  details?: unknown;
}

/** One item of Prefect's 422 `exception_detail`, plus Herald's JSON pointer and the event's id. */
export interface PrefectIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
  pointer: string;
  event_id?: string;
}

/** What the error handler needs to know about the request that failed. */
export interface FailedRequest {
  /** True on routes that mirror Prefect's API: their bodies carry Prefect's fields too. */
  prefectShapes: boolean;
  body: unknown;
  query: unknown;
  params: unknown;
  /** The request's `content-length`, when sent. */
  contentLength: number | undefined;
}

export interface ErrorResponse {
  status: number;
  /** Herald's fields, plus Prefect's where the route mirrors Prefect. */
  body: HeraldErrorBody & Record<string, unknown>;
  /** Set when the error is not a client mistake: the caller logs it. */
  unexpected: boolean;
}

/** Inputs and request bodies are echoed in a 422 only up to these sizes (JSON characters). */
const MAX_ECHOED_INPUT = 1024;
const MAX_ECHOED_BODY = 16 * 1024;
const MAX_ECHOED_ID = 64;

/** Fastify's own errors, mapped to catalogue codes. Anything else Fastify raises with a 4xx is REQUEST_INVALID. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'REQUEST_BODY_INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'REQUEST_BODY_INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

interface Classified {
  status: number;
  code: ErrorCode;
  message: string;
  details: unknown;
  unexpected: boolean;
}

function classify(error: unknown): Classified {
  if (error instanceof HeraldError) {
    return { status: error.status, code: error.code, message: error.message, details: error.details, unexpected: error.status >= 500 };
  }
  const fastify = error as { code?: unknown; statusCode?: unknown };
  const status = typeof fastify.statusCode === 'number' ? fastify.statusCode : 500;
  if (status >= 400 && status < 500) {
    const mapped = typeof fastify.code === 'string' ? FASTIFY_CODES[fastify.code] : undefined;
    const code = mapped ?? 'REQUEST_INVALID';
    const details = mapped ? undefined : { reason: typeof fastify.code === 'string' ? fastify.code : 'unknown' };
    return { status, code, message: ERROR_CATALOGUE[code].message, details, unexpected: false };
  }
  return { status: 500, code: 'INTERNAL', message: ERROR_CATALOGUE.INTERNAL.message, details: undefined, unexpected: true };
}

/** True when the value serialises to at most `max` characters of JSON; false for cycles and hostile depth too. */
function fitsJson(value: unknown, max: number): boolean {
  try {
    const text = JSON.stringify(value);
    return text !== undefined && text.length <= max;
  } catch {
    return false;
  }
}

function valueAt(root: unknown, path: readonly (string | number)[]): { found: boolean; value: unknown } {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return { found: false, value: undefined };
    current = (current as Record<string | number, unknown>)[segment];
  }
  return { found: true, value: current };
}

function isRequestIssue(value: unknown): value is RequestIssue {
  const v = value as RequestIssue | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.pointer === 'string' &&
    Array.isArray(v.path) &&
    typeof v.type === 'string' &&
    typeof v.message === 'string'
  );
}

/** The issues carried in an error's details, when it has the `{ issues: [...] }` form. */
function issuesOf(details: unknown): RequestIssue[] | null {
  const issues = (details as { issues?: unknown } | null)?.issues;
  return Array.isArray(issues) && issues.every(isRequestIssue) ? issues : null;
}

/**
 * Converts issues to Prefect's `exception_detail` items. `input` is the offending value (the enclosing
 * object for a missing field, as pydantic reports it), omitted when large. When the body is an array
 * of events, `event_id` names the event an issue belongs to.
 */
export function toPrefectIssues(
  issues: readonly RequestIssue[],
  request: Pick<FailedRequest, 'body' | 'query' | 'params'>,
): PrefectIssue[] {
  return issues.map((issue) => {
    const part = issue.in ?? 'body';
    const root = part === 'body' || part === 'model' ? request.body : part === 'query' ? request.query : request.params;
    const inputPath = issue.type === 'missing' ? issue.path.slice(0, -1) : issue.path;
    const input = valueAt(root, inputPath);
    const loc = part === 'model' ? [...issue.path] : [part, ...issue.path];
    const item: PrefectIssue = { type: issue.type, loc, msg: issue.message, pointer: issue.pointer };
    if (input.found && fitsJson(input.value, MAX_ECHOED_INPUT)) item.input = input.value;
    const index = issue.path[0];
    if (part === 'body' && Array.isArray(request.body) && typeof index === 'number') {
      const id = (request.body[index] as { id?: unknown } | null)?.id;
      // Ids are UUIDs; a long string in their place is not worth echoing.
      if (typeof id === 'string' && id.length <= MAX_ECHOED_ID) item.event_id = id;
    }
    return item;
  });
}

function echoBody(request: FailedRequest): boolean {
  if (request.body === undefined) return false;
  if (request.contentLength !== undefined && request.contentLength > MAX_ECHOED_BODY) return false;
  return fitsJson(request.body, MAX_ECHOED_BODY);
}

/** The fields Prefect's clients read, for the routes that mirror Prefect's API (spec §2). */
function prefectFields(c: Classified, request: FailedRequest): Record<string, unknown> {
  if (c.status === 401) return { exception_message: 'Unauthorized' };
  if (!request.prefectShapes) return {};
  const issues = issuesOf(c.details);
  if (c.status === 422 && issues) {
    return {
      exception_message: 'Invalid request received.',
      exception_detail: toPrefectIssues(issues, request),
      ...(echoBody(request) ? { request_body: request.body } : {}),
    };
  }
  if (c.code === 'PAGE_TOKEN_INVALID') return { detail: 'Forbidden' };
  if (c.status >= 500) return { exception_message: STATUS_CODES[c.status] ?? 'Internal Server Error' };
  return { detail: c.message };
}

/**
 * Builds the response for any error. Every body has Herald's fields `{statusCode, code, error, message,
 * details?}`; routes that mirror Prefect also get the fields Prefect's clients read (`exception_message`,
 * `exception_detail`, `detail`), so both kinds of client understand it. A 422 in Prefect's shape lists
 * its issues in `exception_detail` rather than repeating them in `details`.
 *
 * @example
 * const { status, body } = errorResponse(new HeraldError('PAGE_TOKEN_INVALID'), request);
 * // 403, { statusCode: 403, code: 'PAGE_TOKEN_INVALID', error: 'Forbidden', message: '…', detail: 'Forbidden' }
 */
export function errorResponse(error: unknown, request: FailedRequest): ErrorResponse {
  const c = classify(error);
  const prefect = prefectFields(c, request);
  const body: HeraldErrorBody & Record<string, unknown> = {
    statusCode: c.status,
    code: c.code,
    error: STATUS_CODES[c.status] ?? 'Error',
    message: c.message,
    ...('exception_detail' in prefect || c.details === undefined ? {} : { details: c.details }),
    ...prefect,
  };
  return { status: c.status, body, unexpected: c.unexpected };
}
