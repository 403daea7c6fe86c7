import type { ValidationIssue } from '../errors.js';
import type { ResourceSpecification } from '../filter.js';
import type { CompoundTrigger, EventTrigger, Posture, SequenceTrigger, Trigger } from './automation-model.js';
import { parseDuration } from './durations.js';
import { FieldReader, issueAt, isPlainObject, TYPE_MESSAGES } from './validation-result.js';

/** The shortest `within` of a proactive trigger, in seconds (0 or absent is raised to it). */
export const PROACTIVE_MIN_WITHIN_SECONDS = 10;

export interface TriggerParseOptions {
  /** Fresh trigger ids: the API replaces every id a client sends (spec §1.4). */
  newId: () => string;
}

type Path = readonly (string | number)[];

/**
 * Parses a trigger (spec §2.2, §2.3): an untagged union of event, compound and sequence triggers.
 * Without `type`, an object with `triggers` is a compound (with `require`) or a sequence trigger, any
 * other object an event trigger (S97). `metric` triggers are refused. Unknown keys are ignored. Every
 * trigger id, nested ones included, is replaced by `options.newId()`. Issues are pushed to `issues`;
 * the result is `undefined` when there were any.
 *
 * @example
 * const issues: ValidationIssue[] = [];
 * parseTrigger({ posture: 'Proactive', expect: ['a.b'] }, ['trigger'], issues, { newId })
 * // { type: 'event', id: '…', match: {}, …, posture: 'Proactive', threshold: 1, within: 10 }
 */
export function parseTrigger(input: unknown, path: Path, issues: ValidationIssue[], options: TriggerParseOptions): Trigger | undefined {
  if (!isPlainObject(input)) {
    issues.push(issueAt(path, 'model_type', TYPE_MESSAGES.model_type));
    return undefined;
  }
  const type: unknown = input.type ?? (Object.hasOwn(input, 'triggers') ? (Object.hasOwn(input, 'require') ? 'compound' : 'sequence') : 'event');
  switch (type) {
    case 'event':
      return parseEventTrigger(input, path, issues, options);
    case 'compound':
    case 'sequence':
      return parseCompositeTrigger(type, input, path, issues, options);
    case 'metric':
      issues.push(issueAt([...path, 'type'], 'value_error', 'Metric triggers are not supported: Herald, like the Prefect open-source server, evaluates event, compound and sequence triggers only'));
      return undefined;
    default:
      issues.push(issueAt([...path, 'type'], 'literal_error', "Input should be 'event', 'compound' or 'sequence'"));
      return undefined;
  }
}

function parseEventTrigger(input: Record<string, unknown>, path: Path, issues: ValidationIssue[], options: TriggerParseOptions): EventTrigger | undefined {
  const before = issues.length;
  const r = new FieldReader(input, path, issues);
  const match = r.has('match') ? parseSpecification(input.match, [...path, 'match'], issues) : {};
  const matchRelated = r.has('match_related') ? parseRelatedSpecification(input.match_related, [...path, 'match_related'], issues) : {};
  const after = r.strings('after', { unique: true });
  const expect = r.strings('expect', { unique: true });
  const forEach = r.strings('for_each', { unique: true });
  const posture = parsePosture(r);
  const threshold = parseThreshold(r);
  const within = posture === undefined ? undefined : parseEventWithin(r, posture);
  if (issues.length > before) return undefined;
  return {
    type: 'event',
    id: options.newId(),
    match: match!,
    match_related: matchRelated!,
    after: after!,
    expect: expect!,
    for_each: forEach!,
    posture: posture!,
    threshold: threshold!,
    within: within!,
  };
}

function parsePosture(r: FieldReader): Posture | undefined {
  const posture = r.required('posture');
  if (posture === undefined) return undefined;
  if (posture === 'Reactive' || posture === 'Proactive') return posture;
  if (posture === 'Metric') return r.fail('posture', 'value_error', 'The Metric posture belongs to metric triggers, which Herald does not support');
  return r.fail('posture', 'enum', "Input should be 'Reactive' or 'Proactive'");
}

function parseThreshold(r: FieldReader): number | undefined {
  if (!r.has('threshold')) return 1;
  const value = r.source.threshold;
  // Q-V4: no range check, as in Prefect.
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : r.typeFail('threshold', 'int_type');
}

/** Spec §2.2: reactive `within` ≥ 0; proactive 0/absent → 10 s, below 10 s refused; null refused. Parsed before the 10-second rule (Q-V3). */
function parseEventWithin(r: FieldReader, posture: Posture): number | undefined {
  if (!r.has('within')) return posture === 'Proactive' ? PROACTIVE_MIN_WITHIN_SECONDS : 0;
  const parsed = parseDuration(r.source.within);
  if (!parsed.ok) return r.fail('within', parsed.type, parsed.message);
  const seconds = parsed.seconds;
  if (posture === 'Reactive') {
    return seconds < 0 ? r.fail('within', 'greater_than_equal', 'Input should be greater than or equal to 0 seconds') : seconds;
  }
  if (seconds === 0) return PROACTIVE_MIN_WITHIN_SECONDS;
  if (seconds < PROACTIVE_MIN_WITHIN_SECONDS) {
    return r.fail('within', 'value_error', 'Value error, `within` for Proactive triggers must be greater than or equal to 10 seconds');
  }
  return seconds;
}

function parseCompositeTrigger(
  type: 'compound' | 'sequence',
  input: Record<string, unknown>,
  path: Path,
  issues: ValidationIssue[],
  options: TriggerParseOptions,
): CompoundTrigger | SequenceTrigger | undefined {
  const before = issues.length;
  const r = new FieldReader(input, path, issues);
  const rawChildren = r.required('triggers');
  let children: Trigger[] | undefined;
  if (rawChildren !== undefined) {
    if (Array.isArray(rawChildren)) {
      const parsed = rawChildren.map((child, index) => parseTrigger(child, [...path, 'triggers', index], issues, options));
      children = parsed.every((c): c is Trigger => c !== undefined) ? parsed : undefined;
    } else {
      r.typeFail('triggers', 'list_type');
    }
  }
  const within = parseCompositeWithin(r);
  const require = type === 'compound' ? parseRequire(r, Array.isArray(rawChildren) ? rawChildren.length : null) : undefined;
  if (issues.length > before) return undefined;
  const id = options.newId();
  if (type === 'sequence') return { type, id, triggers: children!, within: within! };
  return { type, id, triggers: children!, require: require!, within: within! };
}

/** Q-V2: the key is required on the server, even when its value is null (unbounded). */
function parseCompositeWithin(r: FieldReader): number | null | undefined {
  if (!r.has('within')) return r.typeFail('within', 'missing');
  if (r.source.within === null) return null;
  const parsed = parseDuration(r.source.within);
  if (!parsed.ok) return r.fail('within', parsed.type, parsed.message);
  return parsed.seconds < 0 ? r.fail('within', 'greater_than_equal', 'Input should be greater than or equal to 0 seconds') : parsed.seconds;
}

function parseRequire(r: FieldReader, childCount: number | null): CompoundTrigger['require'] | undefined {
  if (!r.has('require')) return r.typeFail('require', 'missing');
  const value = r.source.require;
  if (value === 'any' || value === 'all') return value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return r.fail('require', 'union_type', "Input should be 'any', 'all' or an integer");
  }
  if (value < 1) return r.fail(null, 'value_error', 'Value error, require must be at least 1');
  if (childCount !== null && value > childCount) {
    return r.fail(null, 'value_error', 'Value error, require must be less than or equal to the number of triggers');
  }
  return value;
}

/** A label → pattern | pattern[] map (spec §2.1). */
function parseSpecification(input: unknown, path: Path, issues: ValidationIssue[]): ResourceSpecification | undefined {
  if (!isPlainObject(input)) {
    issues.push(issueAt(path, 'dict_type', TYPE_MESSAGES.dict_type));
    return undefined;
  }
  const spec: ResourceSpecification = {};
  let ok = true;
  for (const [label, value] of Object.entries(input)) {
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      spec[label] = Array.isArray(value) ? [...(value)] : value;
    } else {
      ok = false;
      issues.push(issueAt([...path, label], 'union_type', 'Input should be a string or a list of strings'));
    }
  }
  return ok ? spec : undefined;
}

function parseRelatedSpecification(input: unknown, path: Path, issues: ValidationIssue[]): ResourceSpecification | ResourceSpecification[] | undefined {
  if (!Array.isArray(input)) return parseSpecification(input, path, issues);
  const specs = input.map((item, index) => parseSpecification(item, [...path, index], issues));
  return specs.every((s): s is ResourceSpecification => s !== undefined) ? specs : undefined;
}

/**
 * Every trigger of a tree, depth first, the root first.
 *
 * @example
 * allTriggers(automation.trigger).filter((t) => t.type === 'event')
 */
export function allTriggers(trigger: Trigger): Trigger[] {
  if (trigger.type === 'event') return [trigger];
  return [trigger, ...trigger.triggers.flatMap(allTriggers)];
}
