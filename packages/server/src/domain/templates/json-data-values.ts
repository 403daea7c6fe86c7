import { ArrayValue, bool, NULL, num, str, UNDEFINED, withoutConstructor, type RuntimeValue } from './jinja-runtime.js';
import { DataValue, MAX_DATA_DEPTH } from './template-values.js';

/**
 * JSON data (a webhook's body and query, an event's payload) as template values that convert
 * themselves on demand. A lookup wraps only the member it reads, and `tojson` of such a value prints
 * its source data directly (`writeJsonData` in value-printer.ts): a template that copies a 1 KB
 * body into an event never builds a runtime value per node. Templates cannot modify values, so the
 * source always matches what the wrapped values hold.
 */

/** A JSON array or object and its depth in the context (deeper than {@link MAX_DATA_DEPTH} reads as undefined). */
export interface JsonSource {
  readonly source: unknown;
  readonly depth: number;
}

/** A JSON object. Its `value` (the library's Map) is built, in the source's key order, only when read. */
export class JsonObjectValue extends DataValue implements JsonSource {
  declare readonly source: Readonly<Record<string, unknown>>;
  declare readonly depth: number;
  /** The members wrapped so far; all of them, in source order, once `complete`. */
  declare private members: Map<string, RuntimeValue> | undefined;
  declare private complete: boolean;

  override attribute(name: string): RuntimeValue | undefined {
    return this.member(name);
  }

  override item(name: string): RuntimeValue | undefined {
    return this.member(name);
  }

  private member(name: string): RuntimeValue | undefined {
    let found = this.members?.get(name);
    if (found !== undefined || this.complete || !Object.hasOwn(this.source, name)) return found;
    found = jsonValue(this.source[name], this.depth + 1);
    (this.members ??= new Map()).set(name, found);
    return found;
  }

  /** The library's view of the object: every member, in source order. */
  materialize(): Map<string, RuntimeValue> {
    if (!this.complete) {
      const all = new Map<string, RuntimeValue>();
      for (const key of Object.keys(this.source)) all.set(key, this.members?.get(key) ?? jsonValue(this.source[key], this.depth + 1));
      this.members = all;
      this.complete = true;
    }
    return this.members!;
  }
}

/** A JSON array. Its `value` (the library's array of runtime values) is built only when read. */
export class JsonArrayValue extends ArrayValue implements JsonSource {
  declare readonly source: readonly unknown[];
  declare readonly depth: number;
  declare private items: RuntimeValue[] | undefined;

  materialize(): RuntimeValue[] {
    return (this.items ??= this.source.map((item) => jsonValue(item, this.depth + 1)));
  }
}

// `value` is a getter here, where the library has a data property: instances are made with
// withoutConstructor (below), so that no constructor stores one.
for (const cls of [JsonObjectValue, JsonArrayValue]) {
  Object.defineProperty(cls.prototype, 'value', {
    get(this: JsonObjectValue | JsonArrayValue) {
      return this.materialize();
    },
  });
}

const jsonObject = (source: Record<string, unknown>, depth: number): JsonObjectValue =>
  withoutConstructor(JsonObjectValue, {
    type: 'ObjectValue',
    _builtins: undefined,
    heraldKind: null,
    source,
    depth,
    members: undefined,
    complete: false,
  });

const jsonArray = (source: unknown[], depth: number): JsonArrayValue =>
  withoutConstructor(JsonArrayValue, { type: 'ArrayValue', _builtins: undefined, source, depth, items: undefined });

/**
 * Wraps JSON data (what `JSON.parse` returns) as a template value, the way `toRuntimeValue` converts
 * it, but lazily. `depth` is the value's depth in the context.
 *
 * @example
 * const body = jsonValue(JSON.parse('{"a": {"b": [1, 2]}}'));
 * renderTemplate('{{ body.a | tojson }}', { body }) // { ok: true, text: '{"b": [1, 2]}' }
 */
export function jsonValue(data: unknown, depth = 0): RuntimeValue {
  if (depth > MAX_DATA_DEPTH) return UNDEFINED;
  switch (typeof data) {
    case 'string':
      return str(data);
    case 'number':
      return num(data);
    case 'boolean':
      return bool(data);
    case 'object':
      if (data === null) return NULL;
      return Array.isArray(data) ? jsonArray(data, depth) : jsonObject(data as Record<string, unknown>, depth);
    default:
      return UNDEFINED;
  }
}
