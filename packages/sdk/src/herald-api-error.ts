import { toPointer } from '@herald/core';

/** Codes of errors the SDK raises itself, before or without a server answer. */
export type ClientErrorCode =
  /** The event failed local validation or is larger than the size limit. `details.issues` says why. */
  | 'EVENT_VALIDATION_FAILED'
  /** The client's queue of unacknowledged events is full (`maxQueue`). */
  | 'QUEUE_FULL'
  /** The client was closed, or the process exited, before the event was acknowledged. */
  | 'CLIENT_CLOSED'
  /** The server could not be reached (refused, DNS, TLS, reset), or retries were exhausted. */
  | 'CONNECTION_FAILED'
  /** A `flush()` or request deadline passed. Nothing is dropped by a timeout. */
  | 'TIMEOUT'
  /** The server sent something the protocol does not allow. */
  | 'PROTOCOL_ERROR'
  /** A subscriber with `dropNotices` fell behind and the server skipped events (`details.dropped`). */
  | 'EVENTS_DROPPED';

/** One problem with an event or request, located by a JSON pointer. */
export interface ApiIssue {
  /** RFC 6901 pointer, e.g. `/resource/prefect.resource.id`. */
  pointer: string;
  /** A stable reason, e.g. `missing`, `string_type`, `event_too_large`. */
  type: string;
  message: string;
  /** The id of the event the issue belongs to, when the server names it. */
  eventId?: string | null;
}

export interface HeraldClientErrorOptions {
  message?: string;
  details?: unknown;
  cause?: unknown;
}

/**
 * Every error the SDK throws or rejects with is a `HeraldClientError`. Branch on `code`, never on the
 * message.
 *
 * @example
 * try {
 *   client.emitEvent({ event: 'x', resource: {} as never });
 * } catch (error) {
 *   if (error instanceof HeraldClientError && error.code === 'EVENT_VALIDATION_FAILED') console.log(error.details);
 * }
 */
export class HeraldClientError extends Error {
  /** A {@link ClientErrorCode}, or for a {@link HeraldApiError} the server's code (e.g. `FILTER_INVALID`). */
  readonly code: string;
  readonly details: unknown;

  constructor(code: string, message: string, options: Omit<HeraldClientErrorOptions, 'message'> = {}) {
    super(message, { cause: options.cause });
    this.name = 'HeraldClientError';
    this.code = code;
    this.details = options.details;
  }
}

/**
 * The server answered with an error: an HTTP status other than 2xx, a refused websocket upgrade or
 * authentication, or a per-event rejection on the ingest stream (status 422).
 *
 * `code` is Herald's catalogue code when the body carries one (`{statusCode, code, error, message,
 * details}`); for Prefect-shaped bodies (`{exception_message, exception_detail}` or `{detail}`) it is
 * derived from the status. `details.issues` lists validation problems in both cases.
 *
 * @example
 * try {
 *   await client.getEvent('not-a-uuid');
 * } catch (error) {
 *   if (error instanceof HeraldApiError) console.log(error.status, error.code);
 * }
 */
export class HeraldApiError extends HeraldClientError {
  readonly status: number;

  constructor(status: number, code: string, message: string, options: Omit<HeraldClientErrorOptions, 'message'> = {}) {
    super(code, message, options);
    this.name = 'HeraldApiError';
    this.status = status;
  }
}

/** The code used when an error body names none (Prefect-shaped bodies, proxies, plain text). */
export function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'REQUEST_INVALID';
    case 401:
      return 'AUTH_INVALID';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'REQUEST_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 422:
      return 'VALIDATION_FAILED';
    case 429:
      return 'RATE_LIMITED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL' : `HTTP_${status}`;
  }
}

/**
 * Builds a {@link HeraldApiError} from an HTTP error response body, in either of the server's shapes.
 *
 * @example
 * parseApiError(422, '{"statusCode":422,"code":"FILTER_INVALID","error":"Unprocessable Entity","message":"…"}').code // 'FILTER_INVALID'
 */
export function parseApiError(status: number, bodyText: string): HeraldApiError {
  let body: unknown;
  try {
    body = bodyText === '' ? undefined : JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const fallbackMessage = `HTTP ${status}${bodyText && body === undefined ? `: ${bodyText.slice(0, 200)}` : ''}`;
  if (!isRecord(body)) return new HeraldApiError(status, codeForStatus(status), fallbackMessage);

  if (typeof body.code === 'string') {
    const message = typeof body.message === 'string' ? body.message : fallbackMessage;
    // On routes that mirror Prefect, a 422 lists its issues in `exception_detail` only.
    const details = body.details === undefined && Array.isArray(body.exception_detail) ? { issues: body.exception_detail.filter(isRecord).map(prefectIssue) } : normalizeDetails(body.details);
    return new HeraldApiError(status, body.code, message, { details });
  }
  if (typeof body.exception_message === 'string') {
    const issues = Array.isArray(body.exception_detail) ? body.exception_detail.filter(isRecord).map(prefectIssue) : undefined;
    return new HeraldApiError(status, codeForStatus(status), body.exception_message, issues ? { details: { issues } } : {});
  }
  if (typeof body.detail === 'string') return new HeraldApiError(status, codeForStatus(status), body.detail);
  return new HeraldApiError(status, codeForStatus(status), fallbackMessage, { details: body });
}

/** Herald's `details.issues` carry `{pointer, path, type, message}`; they pass through with `eventId` kept. */
function normalizeDetails(details: unknown): unknown {
  if (!isRecord(details) || !Array.isArray(details.issues)) return details;
  return { ...details, issues: details.issues.filter(isRecord).map(heraldIssue) };
}

function heraldIssue(raw: Record<string, unknown>): ApiIssue {
  const issue: ApiIssue = {
    pointer: typeof raw.pointer === 'string' ? raw.pointer : '',
    type: typeof raw.type === 'string' ? raw.type : 'invalid',
    message: typeof raw.message === 'string' ? raw.message : typeof raw.msg === 'string' ? raw.msg : 'Invalid value',
  };
  const eventId = raw.eventId ?? raw.event_id;
  if (typeof eventId === 'string' || eventId === null) issue.eventId = eventId;
  return issue;
}

function prefectIssue(raw: Record<string, unknown>): ApiIssue {
  const issue = heraldIssue(raw);
  if (issue.pointer === '' && Array.isArray(raw.loc)) {
    // Prefect's `loc` starts with where the value came from ("body", "query"); a pointer does not.
    const path = raw.loc.filter((s): s is string | number => typeof s === 'string' || typeof s === 'number');
    const inner = path[0] === 'body' || path[0] === 'query' || path[0] === 'path' ? path.slice(1) : path;
    issue.pointer = toPointer(inner);
  }
  return issue;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
