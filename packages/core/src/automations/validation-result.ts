import { toPointer, type ValidationIssue } from '../errors.js';

/**
 * The outcome of parsing or validating automation input: a value, or every problem found. Issues use
 * Herald's {@link ValidationIssue} (`path` is Prefect's 422 `loc` without the leading `body`), so a
 * route throws `new HeraldError('AUTOMATION_INVALID', { details: { issues } })` and the error handler
 * answers Prefect's `{exception_message, exception_detail: [{loc, type, msg}], request_body}`.
 */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/**
 * Builds one issue at `path`.
 *
 * @example
 * issueAt(['trigger', 'posture'], 'missing', 'Field required')
 * // { pointer: '/trigger/posture', path: ['trigger', 'posture'], type: 'missing', message: 'Field required' }
 */
export function issueAt(path: readonly (string | number)[], type: string, message: string): ValidationIssue {
  return { pointer: toPointer(path), path: [...path], type, message };
}

/** Plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pydantic's wording for the common type errors, so Prefect clients see familiar messages. */
export const TYPE_MESSAGES = {
  missing: 'Field required',
  extra_forbidden: 'Extra inputs are not permitted',
  string_type: 'Input should be a valid string',
  bool_type: 'Input should be a valid boolean',
  int_type: 'Input should be a valid integer',
  list_type: 'Input should be a valid list',
  dict_type: 'Input should be a valid dictionary',
  model_type: 'Input should be a valid dictionary or object to extract fields from',
  uuid_parsing: 'Input should be a valid UUID',
} as const;

export type TypeIssue = keyof typeof TYPE_MESSAGES;

/**
 * Collects issues while reading one object. Each reader pushes an issue and returns `undefined` when
 * the value is wrong, so a parser reads every field and reports all problems at once.
 */
export class FieldReader {
  constructor(
    readonly source: Record<string, unknown>,
    readonly path: readonly (string | number)[],
    readonly issues: ValidationIssue[],
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.source, key);
  }

  fail(key: string | null, type: string, message: string): undefined {
    this.issues.push(issueAt(key === null ? this.path : [...this.path, key], type, message));
    return undefined;
  }

  typeFail(key: string, type: TypeIssue): undefined {
    return this.fail(key, type, TYPE_MESSAGES[type]);
  }

  /** The raw value, or a `missing` issue. */
  required(key: string): unknown {
    if (!this.has(key)) return this.typeFail(key, 'missing');
    return this.source[key];
  }

  string(key: string, fallback?: string): string | undefined {
    if (!this.has(key)) return fallback === undefined ? this.typeFail(key, 'missing') : fallback;
    const value = this.source[key];
    return typeof value === 'string' ? value : this.typeFail(key, 'string_type');
  }

  boolean(key: string, fallback: boolean): boolean | undefined {
    if (!this.has(key)) return fallback;
    const value = this.source[key];
    return typeof value === 'boolean' ? value : this.typeFail(key, 'bool_type');
  }

  /** A list of strings; with `unique`, duplicates collapse (first occurrence kept), as Prefect's sets do. */
  strings(key: string, options: { unique?: boolean } = {}): string[] | undefined {
    if (!this.has(key)) return [];
    const value = this.source[key];
    if (!Array.isArray(value)) return this.typeFail(key, 'list_type');
    let ok = true;
    value.forEach((item, index) => {
      if (typeof item !== 'string') {
        ok = false;
        this.issues.push(issueAt([...this.path, key, index], 'string_type', TYPE_MESSAGES.string_type));
      }
    });
    if (!ok) return undefined;
    const items = value as string[];
    return options.unique ? [...new Set(items)] : [...items];
  }
}
