import {
  BooleanValue,
  FloatValue,
  IntegerValue,
  UNDEFINED,
  isArray,
  isMapping,
  isNull,
  isNumber,
  isString,
  isUndefined,
  str,
  type AstNode,
  type RuntimeValue,
  type Scope,
} from './jinja-runtime.js';
import { LabelDiverValue } from './template-values.js';

/** Tables and small functions of the sandboxed interpreter. */

/** Never reachable, whatever the object: the classic prototype and constructor walks. */
export const BLOCKED = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** Python and JS methods that would modify a value; calling one fails the render (spec §5.1). */
export const MUTATORS = new Set([
  'append',
  'extend',
  'insert',
  'pop',
  'remove',
  'clear',
  'update',
  'setdefault',
  'popitem',
  'add',
  'discard',
  'push',
  'shift',
  'unshift',
  'splice',
  'fill',
  'copyWithin',
  'set',
  'delete',
]);

export const STRING_BUILTINS = new Set([
  'upper',
  'lower',
  'strip',
  'title',
  'capitalize',
  'length',
  'rstrip',
  'lstrip',
  'startswith',
  'endswith',
  'split',
]);
export const ARRAY_BUILTINS = new Set(['length']);
export const MAPPING_BUILTINS = new Set(['get', 'items', 'keys', 'values', 'dictsort']);

/** Statements whose value is never printed. */
export const SILENT = new Set(['Set', 'Macro', 'Comment', 'Break', 'Continue']);
/** Statements whose text was already counted where it was produced. */
export const BLOCKS = new Set(['For', 'If', 'CallStatement', 'FilterStatement']);

/** Loop control signals; thrown by `{% break %}` / `{% continue %}` and caught by `evaluateFor`. */
export const BREAK = new Error('break outside a loop');
export const CONTINUE = new Error('continue outside a loop');

const literals = new WeakMap<AstNode, RuntimeValue>();

export function literal(node: AstNode): RuntimeValue {
  let value = literals.get(node);
  if (value === undefined) {
    const raw = node.value as string | number;
    value = typeof raw === 'string' ? str(raw) : node.type === 'FloatLiteral' ? new FloatValue(raw) : new IntegerValue(raw);
    literals.set(node, value);
  }
  return value;
}

export function lookup(scope: Scope, name: string): RuntimeValue {
  for (let current: Scope | undefined = scope; current !== undefined; current = current.parent) {
    const value = current.variables.get(name);
    if (value !== undefined) return value;
  }
  return UNDEFINED;
}

/** Jinja truthiness, without the library's allocation per test. */
export function truthy(value: RuntimeValue): boolean {
  if (isString(value)) return value.value !== '';
  if (isArray(value)) return value.value.length > 0;
  if (isMapping(value)) return value.value.size > 0;
  return Boolean(value.value);
}

export function operatorOf(node: AstNode): string {
  return (node.operator as { value: string }).value;
}

/** Jinja equality, deep for lists and maps, counting work so a shared structure cannot hang it. */
export function valuesEqual(a: RuntimeValue, b: RuntimeValue, tick: () => void, depth = 0): boolean {
  tick();
  if (depth > 100) throw new Error('values are nested too deeply to compare');
  const scalar = (v: RuntimeValue): unknown =>
    v instanceof LabelDiverValue ? v.exact : v instanceof BooleanValue ? Number(v.value) : v.value;
  const numeric = (v: RuntimeValue): boolean => isNumber(v) || v instanceof BooleanValue;
  if (numeric(a) && numeric(b)) return scalar(a) === scalar(b);
  const stringish = (v: RuntimeValue): boolean => isString(v) || v instanceof LabelDiverValue;
  if (stringish(a) && stringish(b)) return scalar(a) === scalar(b);
  if (isArray(a) && isArray(b)) {
    return a.value.length === b.value.length && a.value.every((item, i) => valuesEqual(item, b.value[i] ?? UNDEFINED, tick, depth + 1));
  }
  if (isMapping(a) && isMapping(b)) {
    if (a.value.size !== b.value.size) return false;
    for (const [key, item] of a.value) {
      const other = b.value.get(key);
      if (other === undefined || !valuesEqual(item, other, tick, depth + 1)) return false;
    }
    return true;
  }
  return a.type === b.type && (isNull(a) || isUndefined(a));
}
