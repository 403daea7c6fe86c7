import type { JsonValue } from '@herald/core';
import {
  BooleanValue,
  FloatValue,
  FunctionValue,
  IntegerValue,
  isArray,
  isMapping,
  NullValue,
  StringValue,
  UndefinedValue,
  type RuntimeValue,
} from './jinja-runtime.js';
import { JsonArrayValue, JsonObjectValue } from './json-data-values.js';
import { LabelDiverValue, MAX_DATA_DEPTH } from './template-values.js';

/**
 * Turns runtime values into text (DECISIONS 15: JSON, not Python reprs) and into JSON values, always
 * under a {@link Meter} so that a value shared many times in a structure cannot blow up memory.
 */

/** Counts produced characters and visited nodes; throws once a render exceeds its budget. */
export interface Meter {
  /** Adds `chars` produced characters; throws when the render's output budget is exceeded. */
  charge(chars: number): void;
  /** Counts one unit of work; throws when the render's time budget is exceeded. */
  tick(): void;
}

/** Options of the `tojson` filter (spec §5.3). */
interface ToJsonOptions {
  sortKeys: boolean;
  htmlSafe: boolean;
  ensureAscii: boolean;
  indent: number | null;
}

const ASCII_ESCAPES = /[\u007f-\uffff]/g;
const HTML_ESCAPES = /[<>&']/g;
const ASCII_AND_HTML_ESCAPES = /[\u007f-\uffff<>&']/g;

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `ensure_ascii` and `htmlsafe` escapes of a whole JSON text. They may run once over the finished
 * text rather than string by string: every character they replace can only occur inside a string.
 */
function escapeJsonText(text: string, options: ToJsonOptions | null): string {
  if (options === null) return text;
  const pattern =
    options.ensureAscii && options.htmlSafe
      ? ASCII_AND_HTML_ESCAPES
      : options.ensureAscii
        ? ASCII_ESCAPES
        : options.htmlSafe
          ? HTML_ESCAPES
          : null;
  return pattern === null ? text : text.replace(pattern, escapeChar);
}

function number(value: RuntimeValue): string {
  const n = value.value as number;
  if (!Number.isFinite(n)) throw new Error(`${String(n)} is not a JSON number`);
  return value instanceof FloatValue ? value.toString() : String(n);
}

/**
 * What {@link writeJson} writes, without indentation, for JSON source data (see json-data-values.ts),
 * read from the data itself rather than from wrapped values: the same text, as a property test checks.
 * `contextDepth` is the data's depth in the context, where data beyond MAX_DATA_DEPTH is undefined.
 */
function writeJsonData(data: unknown, contextDepth: number, depth: number, sortKeys: boolean, meter: Meter): string {
  meter.tick();
  if (depth > 100) throw new Error('value is nested too deeply to serialise');
  if (contextDepth > MAX_DATA_DEPTH) return 'null';
  switch (typeof data) {
    case 'string':
      return JSON.stringify(data);
    case 'number':
      if (!Number.isFinite(data)) throw new Error(`${String(data)} is not a JSON number`);
      // A float prints as the library's FloatValue does; JSON data holds no integral floats.
      return String(data);
    case 'boolean':
      return data ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (data === null) return 'null';
  let out: string;
  if (Array.isArray(data)) {
    if (data.length === 0) return '[]';
    out = '[';
    for (let i = 0; i < data.length; i++) {
      out += (i === 0 ? '' : ', ') + writeJsonData(data[i], contextDepth + 1, depth + 1, sortKeys, meter);
    }
    return `${out}]`;
  }
  const record = data as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 0) return '{}';
  if (sortKeys) keys.sort();
  out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    out += `${i === 0 ? '' : ', '}${JSON.stringify(key)}: ${writeJsonData(record[key], contextDepth + 1, depth + 1, sortKeys, meter)}`;
  }
  return `${out}}`;
}

/**
 * Inside a structure (and as typed JSON), a label-diver node with a value of its own is that string;
 * other nodes (the root, `labels.i.am`) are the object of the labels below them.
 */
function isLabelLeaf(diver: LabelDiverValue): boolean {
  return diver.exact !== '' || diver.value.size === 0;
}

/** The entries a mapping shows when printed or serialised (a label diver shows its labels). */
function entriesOf(value: RuntimeValue & { value: Map<string, RuntimeValue> }): [string, RuntimeValue][] {
  return [...value.value.entries()];
}

/**
 * Serialises a value as JSON text under the meter. With `options` null this is the printing form
 * (`{"a": 1}`, insertion order); with options it is `tojson`.
 */
export function writeJson(value: RuntimeValue, meter: Meter, options: ToJsonOptions | null): string {
  let out = '';
  const indent = options?.indent ?? null;
  const itemSep = indent !== null ? ',' : ', ';
  const push = (text: string): void => {
    meter.charge(text.length);
    out += text;
  };
  const visit = (node: RuntimeValue, depth: number): void => {
    meter.tick();
    if (depth > 100) throw new Error('value is nested too deeply to serialise');
    const pad = indent !== null ? `\n${' '.repeat(indent * (depth + 1))}` : '';
    const close = indent !== null ? `\n${' '.repeat(indent * depth)}` : '';
    if (node instanceof StringValue) return push(JSON.stringify(node.value));
    if (node instanceof IntegerValue || node instanceof FloatValue) return push(number(node));
    if (node instanceof BooleanValue) return push(node.value ? 'true' : 'false');
    if (node instanceof NullValue || node instanceof UndefinedValue) return push('null');
    if (node instanceof LabelDiverValue && isLabelLeaf(node)) return push(JSON.stringify(node.exact));
    if (indent === null && (node instanceof JsonObjectValue || node instanceof JsonArrayValue)) {
      return push(writeJsonData(node.source, node.depth, depth, options?.sortKeys === true, meter));
    }
    if (isArray(node)) {
      if (node.value.length === 0) return push('[]');
      push('[');
      for (let i = 0; i < node.value.length; i++) {
        push(i === 0 ? pad : itemSep + pad);
        visit(node.value[i]!, depth + 1);
      }
      return push(`${close}]`);
    }
    if (isMapping(node)) {
      const entries = entriesOf(node);
      if (options?.sortKeys === true) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (entries.length === 0) return push('{}');
      push('{');
      for (let i = 0; i < entries.length; i++) {
        const [key, item] = entries[i]!;
        push(i === 0 ? pad : itemSep + pad);
        push(`${JSON.stringify(key)}: `);
        visit(item, depth + 1);
      }
      return push(`${close}}`);
    }
    if (node instanceof FunctionValue) throw new Error('a function is not JSON serialisable');
    throw new Error(`a ${node.type} is not JSON serialisable`);
  };
  visit(value, 0);
  const escaped = escapeJsonText(out, options);
  meter.charge(escaped.length - out.length);
  return escaped;
}

/** How a value prints in `{{ … }}` (DECISIONS 15): strings raw, undefined empty, others as JSON. */
export function printValue(value: RuntimeValue, meter: Meter): string {
  if (value instanceof StringValue) {
    meter.charge(value.value.length);
    return value.value;
  }
  if (value instanceof UndefinedValue || value instanceof FunctionValue) return '';
  if (value instanceof LabelDiverValue) {
    meter.charge(value.exact.length);
    return value.exact;
  }
  return writeJson(value, meter, null);
}

/** Converts a value to JSON data (typed template output). Undefined and functions are refused. */
export function toJsonValue(value: RuntimeValue, meter: Meter, depth = 0): JsonValue {
  meter.tick();
  if (depth > 100) throw new Error('value is nested too deeply to convert to JSON');
  if (value instanceof StringValue) return value.value;
  if (value instanceof IntegerValue || value instanceof FloatValue) {
    const n = value.value;
    if (!Number.isFinite(n)) throw new Error(`${String(n)} is not a JSON number`);
    return n === 0 ? 0 : n; // JSON has no -0
  }
  if (value instanceof BooleanValue) return value.value;
  if (value instanceof NullValue) return null;
  if (value instanceof LabelDiverValue && isLabelLeaf(value)) return value.exact;
  if (isArray(value)) return value.value.map((item) => toJsonValue(item, meter, depth + 1));
  if (isMapping(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of value.value) {
      // defineProperty: a `__proto__` key must stay data, not replace the prototype.
      Object.defineProperty(out, key, { value: toJsonValue(item, meter, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (value instanceof UndefinedValue) throw new Error('the expression is undefined');
  throw new Error(`a ${value.type} is not JSON data`);
}
