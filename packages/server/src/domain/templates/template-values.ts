import {
  ArrayValue,
  bool,
  list,
  num,
  NULL,
  ObjectValue,
  RuntimeValueBase,
  UNDEFINED,
  str,
  withoutConstructor,
  type RuntimeValue,
} from './jinja-runtime.js';

/**
 * Herald's template values: plain JSON data converted once into the library's runtime values, plus
 * views with Prefect's helpers (events, resources, the label diver, case-insensitive headers).
 * Only data is converted: functions, symbols and class internals never reach a template.
 */

/** What `ui_url` and `ui_resource_events_url` recognise. */
type HeraldKind = 'automation' | 'event' | 'resource';

/** A mapping whose member lookups Herald resolves itself (see `SandboxedInterpreter`). */
export abstract class ViewValue extends ObjectValue {
  /** Dot access (`x.name`): Herald attributes first, then the mapping's own data. */
  abstract attribute(name: string): RuntimeValue | undefined;
  /** Subscript (`x['name']`): the mapping's own data first, then attributes. */
  abstract item(name: string): RuntimeValue | undefined;
}

/**
 * Prefect's `LabelDiver`: `labels.i.am.so` walks dotted segments, `labels['i.am.so']` is an exact
 * lookup, printing prints the exact label at the path (or nothing), iterating yields `(label, value)`.
 */
export class LabelDiverValue extends ViewValue {
  private divers: Map<string, LabelDiverValue> | undefined;

  constructor(
    labels: Map<string, RuntimeValue>,
    readonly exact: string,
  ) {
    super(labels);
  }

  static of(labels: Record<string, string>): LabelDiverValue {
    return new LabelDiverValue(new Map(Object.entries(labels).map(([k, v]) => [k, str(v)])), '');
  }

  attribute(name: string): RuntimeValue | undefined {
    return this.children().get(name) ?? this.value.get(name);
  }

  item(name: string): RuntimeValue | undefined {
    return this.value.get(name) ?? this.children().get(name);
  }

  /** Iteration yields `(label, value)` pairs, as in Prefect (the library's `for` iterates `keys()`). */
  keys(): RuntimeValue {
    return new ArrayValue([...this.value].map(([key, value]) => new ArrayValue([str(key), value])));
  }

  private children(): Map<string, LabelDiverValue> {
    if (this.divers !== undefined) return this.divers;
    const nested = new Map<string, Map<string, RuntimeValue>>();
    const values = new Map<string, string>();
    for (const [key, value] of this.value) {
      const dot = key.indexOf('.');
      if (dot === -1) {
        values.set(key, String(value.value));
        continue;
      }
      const head = key.slice(0, dot);
      let group = nested.get(head);
      if (group === undefined) nested.set(head, (group = new Map()));
      group.set(key.slice(dot + 1), value);
    }
    this.divers = new Map();
    for (const [head, group] of nested) this.divers.set(head, new LabelDiverValue(group, values.get(head) ?? ''));
    for (const [head, value] of values) {
      if (!this.divers.has(head)) this.divers.set(head, new LabelDiverValue(new Map(), value));
    }
    return this.divers;
  }
}

/** A resource or related resource: its labels, plus `.id`, `.name`, `.role` and the `.labels` diver. */
export class ResourceValue extends ViewValue {
  readonly heraldKind: HeraldKind = 'resource';
  private diver: LabelDiverValue | undefined;

  constructor(readonly labels: Record<string, string>) {
    super(new Map(Object.entries(labels).map(([k, v]) => [k, str(v)])));
  }

  get resourceId(): string {
    return this.labels['prefect.resource.id'] ?? '';
  }

  attribute(name: string): RuntimeValue | undefined {
    return this.special(name) ?? this.value.get(name);
  }

  item(name: string): RuntimeValue | undefined {
    return this.value.get(name) ?? this.special(name);
  }

  private special(name: string): RuntimeValue | undefined {
    switch (name) {
      case 'id':
        return this.value.get('prefect.resource.id');
      case 'name':
        return this.value.get('prefect.resource.name');
      case 'role':
        return this.value.get('prefect.resource.role');
      case 'labels':
        return (this.diver ??= new LabelDiverValue(this.value, ''));
      default:
        return undefined;
    }
  }
}

/** A mapping of plain data whose dot and subscript lookups are the same, tagged for the UI filters. */
export class DataValue extends ViewValue {
  constructor(
    value: Map<string, RuntimeValue>,
    readonly heraldKind: HeraldKind | null,
    private readonly extras: ReadonlyMap<string, () => RuntimeValue> = NO_EXTRAS,
  ) {
    super(value);
  }

  attribute(name: string): RuntimeValue | undefined {
    return this.value.get(name) ?? this.extras.get(name)?.();
  }

  item(name: string): RuntimeValue | undefined {
    return this.attribute(name);
  }
}

const NO_EXTRAS: ReadonlyMap<string, () => RuntimeValue> = new Map();

/**
 * A {@link DataValue} of plain data, built without running the library's constructors
 * (`withoutConstructor`): context conversion creates one per JSON object.
 */
function plainData(map: Map<string, RuntimeValue>): DataValue {
  return withoutConstructor(DataValue, { type: 'ObjectValue', value: map, _builtins: undefined, heraldKind: null, extras: NO_EXTRAS });
}

/** Header names match case-insensitively (`headers['Content-Type']`). Keys are stored lower-cased. */
export class HeadersValue extends ViewValue {
  attribute(name: string): RuntimeValue | undefined {
    return this.value.get(name.toLowerCase());
  }

  item(name: string): RuntimeValue | undefined {
    return this.value.get(name.toLowerCase());
  }
}

/** Context data nested deeper than this reads as undefined. */
export const MAX_DATA_DEPTH = 200;

/**
 * Converts plain data into runtime values. Functions, symbols and bigints are left out; dates become
 * ISO strings; values that are already runtime values pass through.
 */
export function toRuntimeValue(input: unknown, depth = 0): RuntimeValue {
  // Deeper data is cut off rather than failing: building a context never throws.
  if (depth > MAX_DATA_DEPTH) return UNDEFINED;
  switch (typeof input) {
    case 'string':
      return str(input);
    case 'number':
      return num(input);
    case 'boolean':
      return bool(input);
    case 'object': {
      if (input === null) return NULL;
      if (input instanceof RuntimeValueBase) return input;
      if (Array.isArray(input)) return list(input.map((item) => toRuntimeValue(item, depth + 1)));
      if (input instanceof Date) return str(input.toISOString());
      const map = new Map<string, RuntimeValue>();
      for (const [key, value] of Object.entries(input)) {
        if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') continue;
        map.set(key, toRuntimeValue(value, depth + 1));
      }
      return plainData(map);
    }
    default:
      return UNDEFINED;
  }
}

/** Jinja's `loop` variable, computed on access instead of allocating every field per iteration. */
export class LoopValue extends ViewValue {
  constructor(
    private readonly items: RuntimeValue[],
    private readonly index: number,
  ) {
    super(new Map());
  }

  attribute(name: string): RuntimeValue | undefined {
    const { items, index } = this;
    switch (name) {
      case 'index':
        return num(index + 1);
      case 'index0':
        return num(index);
      case 'revindex':
        return num(items.length - index);
      case 'revindex0':
        return num(items.length - index - 1);
      case 'first':
        return bool(index === 0);
      case 'last':
        return bool(index === items.length - 1);
      case 'length':
        return num(items.length);
      case 'previtem':
        return items[index - 1] ?? UNDEFINED;
      case 'nextitem':
        return items[index + 1] ?? UNDEFINED;
      default:
        return undefined;
    }
  }

  item(name: string): RuntimeValue | undefined {
    return this.attribute(name);
  }
}
