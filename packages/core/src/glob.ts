/**
 * Label patterns are case-sensitive shell globs (Python's `fnmatchcase`): `*` matches any run, `?` one
 * character, `[abc]`/`[a-z]`/`[!abc]` a class. A leading `!` on the whole pattern negates it. Herald
 * parses a pattern once into tokens, and every engine (in memory, SQLite, PostgreSQL) renders those
 * tokens, so that all of them agree.
 */
export type GlobToken =
  | { kind: 'literal'; text: string }
  | { kind: 'any' }
  | { kind: 'one' }
  | { kind: 'class'; negated: boolean; ranges: [string, string][] };

/** Splits a pattern into `negated` and its glob tokens. A lone `!` is the literal `!`. */
export function parseLabelPattern(pattern: string): { negated: boolean; tokens: GlobToken[] } {
  if (pattern.startsWith('!')) return { negated: true, tokens: parseGlob(pattern.slice(1)) };
  return { negated: false, tokens: parseGlob(pattern) };
}

/**
 * Parses a glob as `fnmatch.translate` does. An unclosed `[` is a literal.
 *
 * @example
 * parseGlob('a*') // [{kind:'literal',text:'a'},{kind:'any'}]
 */
export function parseGlob(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  const chars = Array.from(glob);
  const pushLiteral = (c: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') last.text += c;
    else tokens.push({ kind: 'literal', text: c });
  };
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    i++;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'any') tokens.push({ kind: 'any' });
    } else if (c === '?') {
      tokens.push({ kind: 'one' });
    } else if (c === '[') {
      let j = i;
      if (chars[j] === '!') j++;
      if (chars[j] === ']') j++;
      while (j < chars.length && chars[j] !== ']') j++;
      if (j >= chars.length) {
        pushLiteral('[');
        continue;
      }
      let body = chars.slice(i, j);
      i = j + 1;
      const negated = body[0] === '!';
      if (negated) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let k = 0; k < body.length; k++) {
        const from = body[k]!;
        if (body[k + 1] === '-' && k + 2 < body.length) {
          const to = body[k + 2]!;
          if (from <= to) ranges.push([from, to]);
          k += 2;
        } else {
          ranges.push([from, from]);
        }
      }
      if (ranges.length === 0 && !negated) {
        // Python compiles an empty class to "match nothing".
        tokens.push({ kind: 'class', negated: false, ranges: [] });
      } else {
        tokens.push({ kind: 'class', negated, ranges });
      }
    } else {
      pushLiteral(c);
    }
  }
  return tokens;
}

// Unicode-mode regexes refuse needless escapes, so literals and class members escape different sets.
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;
const CLASS_SPECIAL = /[\\^\][-]/g;

/** Renders glob tokens as an anchored JavaScript RegExp (dot-all, unicode). */
function globTokensToRegExp(tokens: GlobToken[]): RegExp {
  let source = '';
  for (const t of tokens) {
    switch (t.kind) {
      case 'literal':
        source += t.text.replace(REGEX_SPECIAL, '\\$&');
        break;
      case 'any':
        source += '.*';
        break;
      case 'one':
        source += '.';
        break;
      case 'class':
        source += t.ranges.length === 0 ? (t.negated ? '.' : '(?!)') : `[${t.negated ? '^' : ''}${t.ranges.map(([a, b]) => (a === b ? esc(a) : `${esc(a)}-${esc(b)}`)).join('')}]`;
        break;
      default:
        t satisfies never;
    }
  }
  return new RegExp(`^${source}$`, 'su');
}

function esc(c: string): string {
  return c.replace(CLASS_SPECIAL, '\\$&');
}

/** A compiled label pattern: tests one label value, or `undefined` when the label is absent. */
export type LabelPatternMatcher = (value: string | undefined) => boolean;

/**
 * Compiles one label pattern. A missing label never matches, negated or not.
 *
 * @example
 * compileLabelPattern('!nah*')('yes') // true
 * compileLabelPattern('!nah*')(undefined) // false
 */
export function compileLabelPattern(pattern: string): LabelPatternMatcher {
  const { negated, tokens } = parseLabelPattern(pattern);
  const only = tokens.length === 1 ? tokens[0] : undefined;
  if (only?.kind === 'literal') return (v) => v !== undefined && (v === only.text) !== negated;
  if (only?.kind === 'any') return (v) => v !== undefined && !negated;
  const re = globTokensToRegExp(tokens);
  return (v) => v !== undefined && re.test(v) !== negated;
}
