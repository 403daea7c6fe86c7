import { parseLabelPattern, type GlobToken } from '@herald/core';
import type { SqlDialectName, SqlParams } from './sql-params.js';

/**
 * How one glob (already stripped of its `!`) compiles: to a constant, to plain equality when it has no
 * wildcard, or to a pattern for `GLOB` (SQLite) or `~` (PostgreSQL, an anchored POSIX regex). Both are
 * case-sensitive and count code points, like the in-memory matcher. Every engine renders the same
 * tokens from `parseLabelPattern`, so none of them parses globs on its own.
 */
export type SqlGlob = { kind: 'never' } | { kind: 'always' } | { kind: 'equals'; text: string } | { kind: 'match'; pattern: string };

/**
 * Renders glob tokens for a dialect.
 *
 * @example
 * renderGlob(parseGlob('a*[!b]?'), 'sqlite')   // { kind: 'match', pattern: 'a*[^b]?' }
 * renderGlob(parseGlob('a.*'), 'postgres')     // { kind: 'match', pattern: '^a\\..*$' }
 * renderGlob(parseGlob('a[*]'), 'sqlite')      // { kind: 'equals', text: 'a*' }
 */
export function renderGlob(glob: readonly GlobToken[], dialect: SqlDialectName): SqlGlob {
  const tokens = withLiteralClasses(glob);
  if (tokens.some((t) => t.kind === 'class' && !t.negated && t.ranges.length === 0)) return { kind: 'never' };
  if (tokens.length === 1 && tokens[0]!.kind === 'any') return { kind: 'always' };
  if (tokens.every((t) => t.kind === 'literal')) return { kind: 'equals', text: tokens.map((t) => t.text).join('') };
  const parts = tokens.map((t) => (dialect === 'sqlite' ? sqliteToken(t) : postgresToken(t)));
  return { kind: 'match', pattern: dialect === 'sqlite' ? parts.join('') : `^${parts.join('')}$` };
}

/** Turns one-character classes such as `[*]` into literals, so that escaped globs become equality. */
function withLiteralClasses(tokens: readonly GlobToken[]): GlobToken[] {
  const out: GlobToken[] = [];
  for (const t of tokens) {
    const single =
      t.kind === 'class' && !t.negated && t.ranges.length === 1 && t.ranges[0]![0] === t.ranges[0]![1] ? t.ranges[0]![0] : undefined;
    const token: GlobToken = single === undefined ? t : { kind: 'literal', text: single };
    const last = out[out.length - 1];
    if (token.kind === 'literal' && last?.kind === 'literal') out[out.length - 1] = { kind: 'literal', text: last.text + token.text };
    else out.push(token);
  }
  return out;
}

/**
 * One label pattern (a leading `!` negates) as a predicate on `expr`, which the caller has already
 * checked is not NULL: a missing label never matches, negated or not.
 *
 * @example
 * sqlLabelPattern('r.role', '!tag*', p) // sqlite: "NOT (r.role GLOB ?)" with 'tag*'
 */
export function sqlLabelPattern(expr: string, pattern: string, p: SqlParams): string {
  const { negated, tokens } = parseLabelPattern(pattern);
  const glob = renderGlob(tokens, p.dialect);
  switch (glob.kind) {
    case 'never':
      return negated ? 'TRUE' : 'FALSE';
    case 'always':
      return negated ? 'FALSE' : 'TRUE';
    case 'equals':
      return `${expr} ${negated ? '<>' : '='} ${p.add(glob.text)}`;
    case 'match': {
      const test = `${expr} ${p.dialect === 'sqlite' ? 'GLOB' : '~'} ${p.add(glob.pattern)}`;
      return negated ? `NOT (${test})` : test;
    }
    default:
      return glob satisfies never;
  }
}

function sqliteToken(t: GlobToken): string {
  switch (t.kind) {
    case 'literal':
      // GLOB has no escape character; a one-character class is the only way to say "this literally".
      return t.text.replace(/[*?[]/g, '[$&]');
    case 'any':
      return '*';
    case 'one':
      return '?';
    case 'class':
      return sqliteClass(t.negated, t.ranges);
    default:
      return t satisfies never;
  }
}

const CLOSE = ']';
const CARET = '^';
const DASH = '-';
const SQLITE_CLASS_SPECIALS = new Set([CLOSE, CARET, DASH]);

/**
 * SQLite reads a class as: optional `^` (negation), then `]` as a literal only in first place, then
 * items where `x-y` is a range, and a `-` is literal only first or last. So `]`, `^` and `-` are kept
 * out of range ends (ranges are split around them) and placed where they are literal: `]` first, `^`
 * after some other item, `-` last.
 */
function sqliteClass(negated: boolean, ranges: readonly [string, string][]): string {
  if (ranges.length === 0) return '?'; // a negated class with no valid range, e.g. `[!z-a]`: any character
  const specials = new Set<string>();
  const items: string[] = [];
  for (const [from, to] of ranges) {
    let lo = from.codePointAt(0)!;
    let hi = to.codePointAt(0)!;
    while (lo <= hi && SQLITE_CLASS_SPECIALS.has(String.fromCodePoint(lo))) specials.add(String.fromCodePoint(lo++));
    while (lo <= hi && SQLITE_CLASS_SPECIALS.has(String.fromCodePoint(hi))) specials.add(String.fromCodePoint(hi--));
    if (lo === hi) items.push(String.fromCodePoint(lo));
    else if (lo < hi) items.push(`${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`);
  }
  const hasClose = specials.has(CLOSE);
  const hasCaret = specials.has(CARET);
  const hasDash = specials.has(DASH);
  if (!negated && !hasClose && items.length === 0 && hasCaret) {
    // Only `^` (and maybe `-`): a first `^` would negate, so lead with the `-` or drop the class.
    return hasDash ? '[-^]' : '^';
  }
  return `[${negated ? '^' : ''}${hasClose ? CLOSE : ''}${items.join('')}${hasCaret ? CARET : ''}${hasDash ? DASH : ''}]`;
}

function postgresToken(t: GlobToken): string {
  switch (t.kind) {
    case 'literal':
      return regexEscape(t.text);
    case 'any':
      return '.*';
    case 'one':
      return '.';
    case 'class':
      if (t.ranges.length === 0) return '.';
      return `[${t.negated ? '^' : ''}${t.ranges.map(([a, b]) => (a === b ? regexEscape(a) : `${regexEscape(a)}-${regexEscape(b)}`)).join('')}]`;
    default:
      return t satisfies never;
  }
}

/**
 * In a PostgreSQL advanced regex, `\` before a non-alphanumeric character makes it literal, inside
 * brackets too, and `\` before a letter or digit is an escape sequence. So every ASCII punctuation
 * character is escaped and nothing else is.
 */
function regexEscape(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
