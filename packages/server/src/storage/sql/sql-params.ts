/** The two SQL dialects Herald stores events in. */
export type SqlDialectName = 'sqlite' | 'postgres';

/**
 * Collects bound parameters while SQL text is built. SQLite placeholders are positional `?`, so every
 * renderer must call {@link SqlParams.add} in the order its placeholders appear in the text (template
 * literals evaluate left to right, which keeps that easy). PostgreSQL placeholders are `$n`, numbered
 * after `offset` so the caller can put its own parameters first.
 *
 * @example
 * const p = new SqlParams('postgres', 2);
 * `e.event = ${p.add('x')}` // 'e.event = $3', p.values = ['x']
 */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(
    readonly dialect: SqlDialectName,
    private readonly offset = 0,
  ) {}

  /** Binds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect === 'sqlite' ? '?' : `$${this.offset + this.values.length}`;
  }
}

/**
 * `expr` starts with the plain string `prefix` (no wildcards). SQLite compares a `substr` of the
 * prefix's length in characters (code points, as `substr` counts them), which no index can serve; that
 * is deliberate, see `compileFilterWhere`. PostgreSQL has `starts_with`.
 *
 * @example
 * sqlStartsWith('e.event', 'acme.', p) // sqlite: 'substr(e.event, 1, 5) = ?'
 */
export function sqlStartsWith(expr: string, prefix: string, p: SqlParams): string {
  if (p.dialect === 'sqlite') return `substr(${expr}, 1, ${Array.from(prefix).length}) = ${p.add(prefix)}`;
  return `starts_with(${expr}, ${p.add(prefix)})`;
}

/** `expr` equals one of the strings. PostgreSQL binds the list as one `text[]` parameter. */
export function sqlInList(expr: string, values: readonly string[], p: SqlParams): string {
  if (values.length === 1) return `${expr} = ${p.add(values[0])}`;
  if (p.dialect === 'sqlite') return `${expr} IN (${values.map((v) => p.add(v)).join(', ')})`;
  return `${expr} = ANY(${p.add(values)}::text[])`;
}

/** OR of the parts, parenthesised; a single part is returned as is. */
export function sqlOr(parts: readonly string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}
