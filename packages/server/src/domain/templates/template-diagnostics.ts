import { parseProgram, type AstNode } from './jinja-runtime.js';

/**
 * Finds where an invalid template is wrong. The library's lexer and parser keep no positions, so
 * the template is re-scanned here, tag by tag, in the manner of Jinja2's lexer: lexical errors get
 * Jinja2's message (`unexpected char "'" at 44`), block nesting errors Jinja2's wording, and any other
 * error the library's message, each with the 1-based line of the offending tag.
 */

export interface TemplateProblem {
  line: number;
  message: string;
}

interface Tag {
  kind: 'expression' | 'statement';
  inner: string;
  line: number;
}

/** Prefect's static limits (spec §5.1). */
export const MAX_FOR_LOOPS = 10;
export const MAX_LOOP_DEPTH = 2;

const OPERATORS = [
  '//',
  '**',
  '==',
  '!=',
  '>=',
  '<=',
  '+',
  '-',
  '/',
  '*',
  '%',
  '~',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  '>',
  '<',
  '=',
  '.',
  ':',
  '|',
  ',',
  ';',
];
const UNSUPPORTED = new Set(['extends', 'include', 'import', 'from', 'block', 'raw', 'with', 'autoescape', 'do']);
const OPENERS: Record<string, { end: string; lookingFor: string }> = {
  for: { end: 'endfor', lookingFor: "'endfor' or 'else'" },
  if: { end: 'endif', lookingFor: "'elif' or 'else' or 'endif'" },
  macro: { end: 'endmacro', lookingFor: "'endmacro'" },
  call: { end: 'endcall', lookingFor: "'endcall'" },
  filter: { end: 'endfilter', lookingFor: "'endfilter'" },
  set: { end: 'endset', lookingFor: "'endset'" },
};

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/** Python's repr of a one-character string, as Jinja2 prints it. */
function pyRepr(char: string): string {
  return char === "'" ? `"'"` : `'${char.replace(/\\/g, '\\\\')}'`;
}

class ScanError extends Error {
  constructor(readonly problem: TemplateProblem) {
    super(problem.message);
  }
}

/** Splits the source into tags, failing like Jinja2's lexer on characters it cannot read. */
function scanTags(source: string): Tag[] {
  const tags: Tag[] = [];
  let pos = 0;
  while (pos < source.length) {
    const open = source.slice(pos).search(/\{[{%#]/);
    if (open === -1) break;
    const start = pos + open;
    const opener = source[start + 1];
    if (opener === '#') {
      const end = source.indexOf('#}', start + 2);
      if (end === -1) throw new ScanError({ line: lineAt(source, start), message: 'Missing end of comment tag' });
      pos = end + 2;
      continue;
    }
    const kind = opener === '{' ? 'expression' : 'statement';
    const closer = kind === 'expression' ? '}}' : '%}';
    let i = start + 2;
    if (source[i] === '-' || source[i] === '+') i++;
    const innerStart = i;
    let depth = 0;
    let closed = false;
    while (i < source.length) {
      const rest = source.slice(i, i + 3);
      if (depth === 0 && (rest.startsWith(closer) || rest === `-${closer}`)) {
        tags.push({ kind, inner: source.slice(innerStart, rest.startsWith('-') ? i : i), line: lineAt(source, start) });
        i += rest.startsWith('-') ? 3 : 2;
        closed = true;
        break;
      }
      const char = source[i] ?? '';
      if (/\s/.test(char)) {
        i++;
        continue;
      }
      if (char === "'" || char === '"') {
        const match = new RegExp(`${char}(?:[^${char}\\\\]|\\\\.)*${char}`, 'ys');
        match.lastIndex = i;
        if (!match.test(source)) throw new ScanError({ line: lineAt(source, i), message: `unexpected char ${pyRepr(char)} at ${i}` });
        i = match.lastIndex;
        continue;
      }
      const word = /\w+/y;
      word.lastIndex = i;
      if (word.test(source)) {
        i = word.lastIndex;
        continue;
      }
      const operator = OPERATORS.find((op) => source.startsWith(op, i));
      if (operator === undefined) throw new ScanError({ line: lineAt(source, i), message: `unexpected char ${pyRepr(char)} at ${i}` });
      if (operator === '(' || operator === '[' || operator === '{') depth++;
      if (operator === ')' || operator === ']' || operator === '}') {
        if (depth === 0) throw new ScanError({ line: lineAt(source, i), message: `unexpected '${operator}'` });
        depth--;
      }
      i += operator.length;
    }
    if (!closed) {
      const expected = kind === 'expression' ? 'end of print statement' : 'end of statement block';
      throw new ScanError({ line: lineAt(source, source.length), message: `unexpected end of template, expected '${expected}'.` });
    }
    pos = i;
  }
  return tags;
}

function tagName(tag: Tag): string {
  return /^\s*(\w*)/.exec(tag.inner)?.[1] ?? '';
}

/** A `set` without a top-level `=` opens a block (`{% set x %}…{% endset %}`). */
function isBlockSet(inner: string): boolean {
  return !/(^|[^=!<>])=($|[^=])/.test(inner.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, ''));
}

/** Parses one tag on its own (blocks closed artificially); a failure is reported at the tag's line. */
function checkTag(tag: Tag): void {
  const program = standalone(tag);
  if (program === null) return;
  try {
    parseProgram(program);
  } catch (error) {
    throw new ScanError({ line: tag.line, message: cleanMessage(error instanceof Error ? error.message : String(error)) });
  }
}

/** Checks each tag, in source order, and that block tags open and close in order, with Jinja2's messages. */
function checkTags(tags: Tag[], lastLine: number): void {
  const stack: { name: string; line: number }[] = [];
  for (const tag of tags) {
    checkTag(tag);
    if (tag.kind !== 'statement') continue;
    const name = tagName(tag);
    if (UNSUPPORTED.has(name)) {
      throw new ScanError({
        line: tag.line,
        message: `'{% ${name} %}' is not supported: Herald templates cannot load other templates or use this tag`,
      });
    }
    const top = stack.at(-1);
    if (name in OPENERS && !(name === 'set' && !isBlockSet(tag.inner))) {
      stack.push({ name, line: tag.line });
      continue;
    }
    if (name === 'set' || name === 'break' || name === 'continue') continue;
    if (name === 'elif' || name === 'else') {
      if (top !== undefined && (top.name === 'if' || (top.name === 'for' && name === 'else'))) continue;
    } else if (name.startsWith('end') && top !== undefined && OPENERS[top.name]?.end === name) {
      stack.pop();
      continue;
    }
    let message = `Encountered unknown tag '${name}'.`;
    if (top !== undefined) {
      const opener = OPENERS[top.name];
      message += ` You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for ${opener?.lookingFor ?? ''}. The innermost block that needs to be closed is '${top.name}'.`;
    }
    throw new ScanError({ line: tag.line, message });
  }
  const open = stack.at(-1);
  if (open !== undefined) {
    throw new ScanError({
      line: lastLine,
      message: `Unexpected end of template. Jinja was looking for the following tags: ${OPENERS[open.name]?.lookingFor ?? ''}. The innermost block that needs to be closed is '${open.name}'.`,
    });
  }
}

/** Makes a one-tag program the library can parse on its own, closing any block it opens. */
function standalone(tag: Tag): string | null {
  if (tag.kind === 'expression') return `{{${tag.inner}}}`;
  const name = tagName(tag);
  const body = `{%${tag.inner}%}`;
  switch (name) {
    case 'for':
    case 'macro':
    case 'call':
    case 'filter':
      return `${body}{% end${name} %}`;
    case 'if':
      return `${body}{% endif %}`;
    case 'elif':
      return `{% if true %}${body}{% endif %}`;
    case 'set':
      return isBlockSet(tag.inner) ? `${body}{% endset %}` : body;
    default:
      return null;
  }
}

function cleanMessage(message: string): string {
  return message.replace(/^Parser Error: /, '').replace(/^Unexpected end of input$/, 'unexpected end of template');
}

/**
 * Locates the problem of a template the library failed to parse.
 *
 * @example
 * locateProblem("1 - {{ hello }} world!\n2 - oops, this {{ ain't } gonna work\n3 - this is fine", 'x')
 * // { line: 2, message: 'unexpected char "\'" at 44' }
 */
export function locateProblem(source: string, libraryMessage: string): TemplateProblem {
  if (/call stack/i.test(libraryMessage)) return { line: 1, message: 'the template nests too deeply' };
  const lastLine = lineAt(source.replace(/\n$/, ''), source.length);
  try {
    checkTags(scanTags(source), lastLine);
  } catch (error) {
    if (error instanceof ScanError) return error.problem;
    throw error;
  }
  return { line: lastLine, message: cleanMessage(libraryMessage) };
}

/** Visits every AST node below `node` (statements and expressions, in any field). */
function children(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value instanceof Map) {
      for (const [k, v] of value) {
        collect(k);
        collect(v);
      }
    } else if (value !== null && typeof value === 'object' && typeof (value as AstNode).type === 'string') out.push(value as AstNode);
  };
  for (const [key, value] of Object.entries(node)) if (key !== 'type' && key !== 'operator') collect(value);
  return out;
}

/**
 * Prefect's static loop limits: at most {@link MAX_FOR_LOOPS} `for` blocks, nested at most
 * {@link MAX_LOOP_DEPTH} deep. Line 0, Prefect's exact messages.
 *
 * @example
 * checkLoopLimits(parseProgram('{% for a in x %}{% endfor %}')) // null
 */
export function checkLoopLimits(program: AstNode): TemplateProblem | null {
  let count = 0;
  let tooDeep: number | null = null;
  const walk = (node: AstNode, depth: number): void => {
    let inner = depth;
    if (node.type === 'For') {
      count++;
      inner = depth + 1;
      if (inner > MAX_LOOP_DEPTH && tooDeep === null) tooDeep = inner;
    }
    for (const child of children(node)) walk(child, inner);
  };
  walk(program, 0);
  if (tooDeep !== null) {
    return {
      line: 0,
      message: `Contains nested for loops at a depth of ${tooDeep}. Templates can nest for loops no more than ${MAX_LOOP_DEPTH} loops deep.`,
    };
  }
  if (count > MAX_FOR_LOOPS) {
    return { line: 0, message: `Contains ${count} for loops. Templates can contain no more than ${MAX_FOR_LOOPS} for loops.` };
  }
  return null;
}
