import type { JsonValue } from '@herald/core';
import {
  BooleanValue,
  IntegerValue,
  NAMESPACE,
  NULL,
  createScope,
  fn,
  isNumber,
  isString,
  parseProgram,
  type AstNode,
  type ProgramNode,
  type RuntimeValue,
  type Scope,
  ArrayValue,
} from './jinja-runtime.js';
import { SandboxedInterpreter, TemplateBudgetError } from './sandboxed-interpreter.js';
import { checkLoopLimits, locateProblem, type TemplateProblem } from './template-diagnostics.js';
import { TEMPLATE_OPTIONS, type TemplateContext } from './template-context.js';
import { toRuntimeValue } from './template-values.js';
import { toJsonValue } from './value-printer.js';

/** Limits of one render. */
export interface RenderBudget {
  /** Wall time of one render, ms (default 100). */
  maxMillis: number;
  /** Largest output and largest single produced value, bytes (default 256 KiB). */
  maxOutputBytes: number;
}

export const DEFAULT_RENDER_BUDGET: RenderBudget = { maxMillis: 100, maxOutputBytes: 256 * 1024 };

/** `range()` may produce at most this many elements (spec §5.1). */
export const MAX_RANGE = 100;

const CACHE_SIZE = 1000;
/** Sources longer than this are not cached, so the cache stays small. */
const CACHE_MAX_SOURCE = 64 * 1024;

type Compiled = { program: ProgramNode; problem: null } | { program: null; problem: TemplateProblem };

const cache = new Map<string, Compiled>();

/** Parses and checks a template once; results (failures too) are kept in a bounded LRU by source. */
function compile(source: string): Compiled {
  const hit = cache.get(source);
  if (hit !== undefined) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  let compiled: Compiled;
  try {
    const program = parseProgram(source);
    const problem = checkLoopLimits(program);
    compiled = problem === null ? { program, problem: null } : { program: null, problem };
  } catch (error) {
    compiled = { program: null, problem: locateProblem(source, error instanceof Error ? error.message : String(error)) };
  }
  if (source.length <= CACHE_MAX_SOURCE) {
    cache.set(source, compiled);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return compiled;
}

/** Only sources with `{{` or `{%` are templates; any other text is used verbatim. */
function isTemplate(source: string): boolean {
  return source.includes('{{') || source.includes('{%');
}

/**
 * Checks a template without rendering it: syntax, then Prefect's loop limits (line 0).
 *
 * @example
 * validateTemplate('{{ event.id }}') // { ok: true }
 * validateTemplate('{{ x }') // { ok: false, line: 1, message: "unexpected '}'" }
 */
export function validateTemplate(source: string): { ok: true } | { ok: false; line: number; message: string } {
  if (!isTemplate(source)) return { ok: true };
  const { problem } = compile(source);
  return problem === null ? { ok: true } : { ok: false, line: problem.line, message: problem.message };
}

function checkedRange(args: RuntimeValue[]): RuntimeValue {
  const numbers = args.map((arg) => {
    if (!isNumber(arg) || !Number.isInteger(arg.value)) throw new Error('range() arguments must be integers');
    return arg.value;
  });
  const [a = 0, b, c = 1] = numbers;
  const [start, stop] = b === undefined ? [0, a] : [a, b];
  if (c === 0) throw new Error('range() step must not be zero');
  const length = Math.max(0, Math.ceil((stop - start) / c));
  if (length > MAX_RANGE) throw new Error(`range too big: ${length} elements, at most ${MAX_RANGE} are allowed`);
  return new ArrayValue(Array.from({ length }, (_, i) => new IntegerValue(start + i * c)));
}

const globals = createScope();
for (const [name, value] of [
  ['true', new BooleanValue(true)],
  ['false', new BooleanValue(false)],
  ['True', new BooleanValue(true)],
  ['False', new BooleanValue(false)],
  ['none', NULL],
  ['None', NULL],
  ['range', fn((args) => checkedRange(args))],
  ['namespace', NAMESPACE],
] as const) {
  globals.setVariable(name, value);
}

/**
 * The context's variables as runtime values, converted at each render. The builders' contexts hold
 * runtime values already, so this is cheap. Not cached per context object: a WeakMap entry outlives
 * its dead key until a full collection, so under load every render's context would survive the
 * young-generation collections (about 2 MB copied per scavenge on the webhook path).
 */
function contextScope(context: TemplateContext): Scope {
  const scope = createScope(globals);
  for (const [name, value] of Object.entries(context)) scope.setVariable(name, toRuntimeValue(value));
  return scope;
}

function interpreterFor(context: TemplateContext, budget: RenderBudget): { interpreter: SandboxedInterpreter; scope: Scope } {
  const options = context[TEMPLATE_OPTIONS];
  const scope = createScope(contextScope(context));
  const interpreter = new SandboxedInterpreter(scope, {
    deadline: performance.now() + budget.maxMillis,
    maxChars: budget.maxOutputBytes,
    uiUrl: options?.uiUrl ?? null,
    now: options?.now ?? Date.now,
  });
  return { interpreter, scope };
}

function describe(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'the template nests too deeply';
  if (error instanceof TemplateBudgetError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function invalid(problem: TemplateProblem): { ok: false; error: string } {
  return {
    ok: false,
    error: problem.line > 0 ? `invalid template (line ${problem.line}): ${problem.message}` : `invalid template: ${problem.message}`,
  };
}

/**
 * Renders a template in the sandbox. Text without `{{` or `{%` is returned verbatim. Never throws.
 *
 * @example
 * renderTemplate('{{ labels.i.am.so }}', context) // { ok: true, text: 'triggered' }
 * renderTemplate('{{ [].constructor }}', context) // { ok: true, text: '' }
 */
export function renderTemplate(
  source: string,
  context: TemplateContext,
  budget: RenderBudget = DEFAULT_RENDER_BUDGET,
): { ok: true; text: string } | { ok: false; error: string } {
  if (!isTemplate(source)) return { ok: true, text: source };
  const compiled = compile(source);
  if (compiled.problem !== null) return invalid(compiled.problem);
  try {
    const { interpreter } = interpreterFor(context, budget);
    const result = interpreter.run(compiled.program);
    const text = isString(result) ? result.value : '';
    if (text.length * 3 > budget.maxOutputBytes && Buffer.byteLength(text) > budget.maxOutputBytes) {
      return { ok: false, error: `the output exceeds the size budget of ${budget.maxOutputBytes} bytes` };
    }
    return { ok: true, text };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

/** The template's one `{{ expr }}` when it has nothing else but whitespace. */
function soleExpression(program: ProgramNode): AstNode | null {
  const nodes = program.body.filter((node) => !(node.type === 'StringLiteral' && /^\s*$/.test(node.value as string)));
  const [only] = nodes;
  if (nodes.length !== 1 || only === undefined) return null;
  const statements = ['For', 'If', 'Set', 'Macro', 'Comment', 'CallStatement', 'FilterStatement', 'Break', 'Continue', 'StringLiteral'];
  return statements.includes(only.type) ? null : only;
}

function parseJson(text: string, what: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const at = position === undefined ? -1 : Number(position);
    const near = at < 0 ? '' : ` near ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))}`;
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    return { ok: false, error: `${what} is not valid JSON (${(error as Error).message})${near}; it was: ${shown}` };
  }
}

/**
 * Renders a template for a JSON field (emit-event, webhooks) and parses the result. A template that
 * is exactly one `{{ expr }}` keeps the value's type (DECISIONS 15): numbers, booleans, null, lists and
 * objects pass through; a string result is parsed as JSON text, so `{{ body | tojson }}` yields the object.
 *
 * @example
 * renderJsonTemplate('{{ event.payload }}', context) // { ok: true, value: { rows: 1200 } }
 * renderJsonTemplate('{"n": {{ 1 + 1 }}}', context) // { ok: true, value: { n: 2 } }
 */
export function renderJsonTemplate(
  source: string,
  context: TemplateContext,
  budget: RenderBudget = DEFAULT_RENDER_BUDGET,
): { ok: true; value: JsonValue } | { ok: false; error: string } {
  if (!isTemplate(source)) return parseJson(source, 'the text');
  const compiled = compile(source);
  if (compiled.problem !== null) return invalid(compiled.problem);
  const expression = soleExpression(compiled.program);
  if (expression === null) {
    const rendered = renderTemplate(source, context, budget);
    return rendered.ok ? parseJson(rendered.text, 'the rendered text') : rendered;
  }
  try {
    const { interpreter, scope } = interpreterFor(context, budget);
    const value = interpreter.evaluate(expression, scope);
    if (isString(value)) {
      interpreter.reserve(value.value.length);
      return parseJson(value.value, 'the rendered string');
    }
    return { ok: true, value: toJsonValue(value, interpreter.valueMeter()) };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}
