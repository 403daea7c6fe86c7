import {
  ArrayValue,
  BooleanValue,
  NULL,
  isArray,
  isMapping,
  isNumber,
  isString,
  isUndefined,
  str,
  type RuntimeValue,
} from './jinja-runtime.js';
import { apNumber, intComma, intWord, naturalDelta, naturalSize, naturalTime, ordinal } from './humanize.js';
import { jsonValue } from './json-data-values.js';
import { DataValue, ResourceValue } from './template-values.js';
import { printValue, writeJson, type Meter } from './value-printer.js';

/** What a filter may use from the render it runs in. */
export interface FilterHost {
  readonly uiUrl: string | null;
  /** Wall-clock now, ms since the epoch (humanize filters). */
  now(): number;
  /** A fresh meter for one produced value (size cap per value, time budget shared). */
  valueMeter(): Meter;
  /** Refuses a string larger than one value may be, before it is built. */
  reserve(chars: number): void;
  /** Attribute or item lookup with the sandbox's rules. */
  member(object: RuntimeValue, key: string | number, subscript: boolean): RuntimeValue;
}

interface FilterArgs {
  positional: RuntimeValue[];
  keywords: Map<string, RuntimeValue>;
}

type TemplateFilter = (operand: RuntimeValue, args: FilterArgs, host: FilterHost) => RuntimeValue;

function arg(args: FilterArgs, index: number, name: string): RuntimeValue | undefined {
  return args.positional[index] ?? args.keywords.get(name);
}

function intArg(args: FilterArgs, index: number, name: string, fallback: number): number {
  const value = arg(args, index, name);
  if (value === undefined || value.value === null) return fallback;
  if (!isNumber(value) || !Number.isInteger(value.value)) throw new Error(`${name} must be an integer`);
  return value.value;
}

function boolArg(args: FilterArgs, index: number, name: string): boolean {
  const value = arg(args, index, name);
  return value !== undefined && value.__bool__().value;
}

function numberOf(value: RuntimeValue, filter: string): number {
  if (isNumber(value)) return value.value;
  if (isString(value) && value.value.trim() !== '' && Number.isFinite(Number(value.value))) return Number(value.value);
  throw new Error(`${filter} expects a number, got ${value.type}`);
}

/** A duration in seconds from a number, or from a timestamp (the time since it). */
function secondsOf(value: RuntimeValue, host: FilterHost, filter: string): number {
  if (isString(value) && Number.isNaN(Number(value.value))) {
    const at = Date.parse(value.value);
    if (Number.isNaN(at)) throw new Error(`${filter} expects seconds or a timestamp, got '${value.value}'`);
    return (host.now() - at) / 1000;
  }
  return numberOf(value, filter);
}

const tojson: TemplateFilter = (operand, args, host) => {
  const indent = intArg(args, 0, 'indent', -1);
  const text = writeJson(operand, host.valueMeter(), {
    sortKeys: true,
    htmlSafe: true,
    ensureAscii: true,
    indent: indent < 0 ? null : Math.min(indent, 16),
  });
  return str(text);
};

const join: TemplateFilter = (operand, args, host) => {
  const separator = arg(args, 0, 'd') ?? str('');
  if (!isString(separator)) throw new Error('join separator must be a string');
  const attribute = arg(args, 1, 'attribute');
  let items: RuntimeValue[];
  if (isString(operand)) items = Array.from(operand.value, (c) => str(c));
  else if (isArray(operand)) items = operand.value;
  else throw new Error(`join expects a list, got ${operand.type}`);
  const meter = host.valueMeter();
  const parts = items.map((item, i) => {
    const value = attribute === undefined || !isString(attribute) ? item : host.member(item, attribute.value, false);
    if (i > 0) meter.charge(separator.value.length);
    return printValue(value, meter);
  });
  return str(parts.join(separator.value));
};

const indent: TemplateFilter = (operand, args, host) => {
  const width = intArg(args, 0, 'width', 4);
  if (width < 0 || width > 100) throw new Error('indent width must be between 0 and 100');
  const first = boolArg(args, 1, 'first');
  const blank = boolArg(args, 2, 'blank');
  const text = isString(operand) ? operand.value : printValue(operand, host.valueMeter());
  const lines = text.split('\n');
  host.reserve(text.length + lines.length * width);
  const pad = ' '.repeat(width);
  return str(lines.map((line, i) => ((i === 0 && !first) || (line === '' && !blank) ? line : pad + line)).join('\n'));
};

/** `str.replace` and the `replace` filter, sized before the result is built. */
export const replace: TemplateFilter = (operand, args, host) => {
  const [oldValue, newValue] = args.positional;
  if (!isString(operand) || oldValue === undefined || newValue === undefined || !isString(oldValue) || !isString(newValue)) {
    throw new Error('replace expects a string and two string arguments');
  }
  const countArg = arg(args, 2, 'count');
  const limit = countArg === undefined || countArg.value === null ? Infinity : numberOf(countArg, 'replace');
  const text = operand.value;
  let occurrences: number;
  if (oldValue.value === '') occurrences = Math.min(Array.from(text).length + 1, limit);
  else {
    occurrences = 0;
    for (
      let at = text.indexOf(oldValue.value);
      at !== -1 && occurrences < limit;
      at = text.indexOf(oldValue.value, at + oldValue.value.length)
    ) {
      occurrences++;
    }
  }
  host.reserve(text.length + occurrences * Math.max(0, newValue.value.length - oldValue.value.length));
  let remaining = limit;
  const pattern = new RegExp(oldValue.value === '' ? '(?:)' : oldValue.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
  return str(text.replace(pattern, (match) => (remaining-- > 0 ? newValue.value : match)));
};

const defaultFilter: TemplateFilter = (operand, args) => {
  const fallback = arg(args, 0, 'default_value') ?? str('');
  const boolean = boolArg(args, 1, 'boolean');
  return isUndefined(operand) || (boolean && !operand.__bool__().value) ? fallback : operand;
};

function uiUrlOf(value: RuntimeValue, uiUrl: string): string | null {
  if (value instanceof ResourceValue) {
    const id = value.resourceId;
    if (id.startsWith('herald.automation.')) return `${uiUrl}/automations/${encodeURIComponent(id.slice(18))}`;
    return `${uiUrl}/resources/${encodeURIComponent(id)}`;
  }
  if (value instanceof DataValue && value.heraldKind !== null) {
    const id = value.value.get('id');
    if (id === undefined || !isString(id)) return null;
    if (value.heraldKind === 'automation') return `${uiUrl}/automations/${encodeURIComponent(id.value)}`;
    if (value.heraldKind === 'event') return `${uiUrl}/events/${encodeURIComponent(id.value)}`;
  }
  return null;
}

function resourceEventsUrlOf(value: RuntimeValue, uiUrl: string): string | null {
  if (value instanceof ResourceValue) return `${uiUrl}/resources/${encodeURIComponent(value.resourceId)}`;
  if (value instanceof DataValue && value.heraldKind === 'automation') {
    const id = value.value.get('id');
    if (id !== undefined && isString(id)) return `${uiUrl}/resources/${encodeURIComponent(`herald.automation.${id.value}`)}`;
  }
  return null;
}

const nullable = (text: string | null): RuntimeValue => (text === null ? NULL : str(text));

/**
 * Herald's filters beyond the library's built-ins. The library's own `tojson`, `join`, `indent`,
 * `replace`, `string` and `default` are replaced: they must honour the size budget and DECISIONS 15.
 */
export const HERALD_FILTERS: ReadonlyMap<string, TemplateFilter> = new Map<string, TemplateFilter>([
  ['tojson', tojson],
  ['join', join],
  ['indent', indent],
  ['replace', replace],
  ['default', defaultFilter],
  ['d', defaultFilter],
  ['string', (operand, _args, host) => (isString(operand) ? operand : str(printValue(operand, host.valueMeter())))],
  [
    'attr',
    (operand, args, host) => {
      const name = args.positional[0];
      if (name === undefined || !isString(name)) throw new Error('attr expects an attribute name');
      return host.member(operand, name.value, false);
    },
  ],
  [
    'fromjson',
    (operand) => {
      if (!isString(operand)) throw new Error(`fromjson expects a string, got ${operand.type}`);
      try {
        return jsonValue(JSON.parse(operand.value) as unknown);
      } catch (error) {
        throw new Error(`fromjson: ${(error as Error).message}`);
      }
    },
  ],
  ['ui_url', (operand, _args, host) => (host.uiUrl === null ? NULL : nullable(uiUrlOf(operand, host.uiUrl)))],
  ['ui_resource_events_url', (operand, _args, host) => (host.uiUrl === null ? NULL : nullable(resourceEventsUrlOf(operand, host.uiUrl)))],
  ['humanize_naturaldelta', (operand, _args, host) => str(naturalDelta(secondsOf(operand, host, 'humanize_naturaldelta')))],
  [
    'humanize_naturaltime',
    (operand, _args, host) => {
      const seconds = secondsOf(operand, host, 'humanize_naturaltime');
      return str(naturalTime(host.now() - seconds * 1000, host.now()));
    },
  ],
  ['humanize_intcomma', (operand) => str(intComma(isString(operand) ? operand.value : numberOf(operand, 'humanize_intcomma')))],
  ['humanize_naturalsize', (operand, args) => str(naturalSize(numberOf(operand, 'humanize_naturalsize'), boolArg(args, 0, 'binary')))],
  ['humanize_ordinal', (operand) => str(ordinal(numberOf(operand, 'humanize_ordinal')))],
  ['humanize_intword', (operand) => str(intWord(numberOf(operand, 'humanize_intword')))],
  ['humanize_apnumber', (operand) => str(apNumber(numberOf(operand, 'humanize_apnumber')))],
  ['bool', (operand) => new BooleanValue(operand.__bool__().value)],
  [
    'list',
    (operand) => {
      if (isArray(operand)) return operand;
      if (isString(operand)) return new ArrayValue(Array.from(operand.value, (c) => str(c)));
      if (isMapping(operand)) return new ArrayValue([...operand.value.keys()].map((k) => str(k)));
      throw new Error(`list expects a sequence, got ${operand.type}`);
    },
  ],
]);
