/**
 * Herald's closed catalogue of error codes. Each code has one HTTP status and a default message.
 * Domain code throws {@link HeraldError} with a code; only the API's error handler knows HTTP.
 *
 * @example
 * throw new HeraldError('EVENT_NOT_FOUND', { details: { id } });
 */
export const ERROR_CATALOGUE = {
  REQUEST_INVALID: { status: 400, message: 'The request is malformed.' },
  REQUEST_BODY_INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  AUTH_REQUIRED: { status: 401, message: 'An API key is required: send Authorization: Bearer <key>.' },
  AUTH_INVALID: { status: 401, message: 'The API key is not valid.' },
  PAGE_TOKEN_INVALID: { status: 403, message: 'The page token is not valid.' },
  EVENT_NOT_FOUND: { status: 404, message: 'No event has this id.' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No route matches this method and path.' },
  REQUEST_TOO_LARGE: { status: 413, message: 'The request body is larger than the configured limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body must be JSON.' },
  EVENT_VALIDATION_FAILED: { status: 422, message: 'One or more events are invalid.' },
  FILTER_INVALID: { status: 422, message: 'The filter is invalid.' },
  QUERY_INVALID: { status: 422, message: 'The query is invalid.' },
  COUNT_TOO_MANY_BUCKETS: { status: 422, message: 'The time range and interval would create too many buckets.' },
  QUERY_TIMEOUT: { status: 422, message: 'The query ran longer than the time limit; narrow its filter.' },
  KEY_NOT_FOUND: { status: 404, message: 'No API key has this id.' },
  AUTOMATION_NOT_FOUND: { status: 404, message: 'No automation has this id.' },
  AUTOMATION_INVALID: { status: 422, message: 'The automation is invalid.' },
  CONNECTION_NOT_FOUND: { status: 404, message: 'No connection has this id.' },
  CONNECTION_INVALID: { status: 422, message: 'The connection is invalid.' },
  TEMPLATE_INVALID: { status: 422, message: 'The template is invalid.' },
  WEBHOOK_NOT_FOUND: { status: 404, message: 'No webhook has this id.' },
  WEBHOOK_INVALID: { status: 422, message: 'The webhook is invalid.' },
  WEBHOOK_REQUEST_NOT_FOUND: { status: 404, message: 'No captured request has this id.' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'Storage is unavailable; retry later.' },
  SHUTTING_DOWN: { status: 503, message: 'The server is shutting down; retry against another replica or later.' },
  CONFIG_INVALID: { status: 500, message: 'The configuration is invalid.' },
  INTERNAL: { status: 500, message: 'An internal error occurred.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One validation problem, located by a JSON pointer into the request body. */
export interface ValidationIssue {
  /** RFC 6901 JSON pointer into the request body, e.g. `/0/resource/prefect.resource.id`. */
  pointer: string;
  /** The same location as a path array, in the style of Prefect's 422 `loc` (without the leading `body`). */
  path: (string | number)[];
  /** A stable machine-readable reason, e.g. `missing`, `string_type`, `event_too_large`. */
  type: string;
  /** A human-readable sentence. */
  message: string;
}

export interface HeraldErrorOptions {
  message?: string;
  details?: unknown;
  cause?: unknown;
}

/**
 * The one error class of Herald. `status` comes from the catalogue; `details` is safe to show to clients.
 *
 * A client error (status below 500) carries no stack trace: it is an answer to bad input, not a bug to
 * trace, and capturing ten frames costs about 8 µs, ten times the rest of the error, which a flood of
 * bad requests would pay on every one. Server errors keep their stack.
 *
 * @example
 * new HeraldError('FILTER_INVALID', { details: { issues } })
 */
export class HeraldError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, options: HeraldErrorOptions = {}) {
    const { status } = ERROR_CATALOGUE[code];
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(options.message ?? ERROR_CATALOGUE[code].message, { cause: options.cause });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = 'HeraldError';
    this.code = code;
    this.status = status;
    this.details = options.details;
  }
}

/** Encodes one segment of a JSON pointer (RFC 6901). */
function escapePointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a JSON pointer from a path. `[0, 'resource']` → `/0/resource`. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((s) => '/' + escapePointerSegment(s)).join('');
}
