import {
  compileLabelPattern,
  RESOURCE_ROLE_LABEL,
  type Automation,
  type CompositeTrigger,
  type EventTrigger,
  type ReceivedEvent,
  type RelatedResource,
  type ResourceSpecification,
  type Trigger,
} from '@herald/core';
import { triggerUid } from './engine-state.js';
import { SECOND_MICROS } from './engine-types.js';
import { MatcherCache } from './matcher-cache.js';

/** Why an event is not covered, for the trace. */
export type CoverMiss = 'name' | 'resource' | 'related';

/** An EventTrigger compiled once: predicates of spec §2.2 plus its place in the automation. */
export interface CompiledEventTrigger {
  kind: 'event';
  automation: Automation;
  trigger: EventTrigger;
  /** `automationId:triggerId`, the prefix of every state key of this trigger. */
  uid: string;
  parent: CompiledComposite | null;
  proactive: boolean;
  immediate: boolean;
  withinMicros: number;
  hasAfter: boolean;
  /** Sorted `for_each`. */
  forEach: string[];
  /**
   * DECISIONS 13: a proactive trigger with `for_each` and no `after` opens a key's window on any event
   * its resources cover, whatever the name; such triggers are indexed under every name.
   */
  opensOnAnyCoveredEvent: boolean;
  /** Interest-index keys (spec §3.4): `["*"]` when `expect` is empty, else `expect ∪ after`. */
  indexKeys: string[];
  /** Spec §3.4 interest and §2.2 `event_pattern` together: the name part of `covers`. */
  covers: (name: string) => boolean;
  expects: (name: string) => boolean;
  startsAfter: (name: string) => boolean;
  coversResources: (event: ReceivedEvent) => CoverMiss | null;
  /** Literal `prefect.resource.id` patterns of `match`, for the index; null = any resource. */
  resourceIdPatterns: string[] | null;
  /** Position in the engine's stable evaluation order (automation id, then trigger depth-first). */
  ordinal: number;
  /** Stamp of the last candidate lookup that returned this trigger (de-duplication without a Set). */
  stamp: number;
}

/** A compound or sequence trigger. */
export interface CompiledComposite {
  kind: 'composite';
  automation: Automation;
  trigger: CompositeTrigger;
  uid: string;
  parent: CompiledComposite | null;
  needed: number;
  withinMicros: number | null;
  childIds: string[];
}

export type CompiledNode = CompiledEventTrigger | CompiledComposite;

/** An automation compiled for evaluation. */
export interface CompiledAutomation {
  automation: Automation;
  events: CompiledEventTrigger[];
  /** Canonical JSON of the trigger: a change clears the proactive schedule. */
  fingerprint: string;
}

/**
 * Compiles every trigger of an automation, nested ones included.
 *
 * @example
 * const compiled = compileAutomation(automation);
 * compiled.events[0].expects('prefect.flow-run.Failed');
 */
export function compileAutomation(automation: Automation, cache: MatcherCache = new MatcherCache()): CompiledAutomation {
  const events: CompiledEventTrigger[] = [];
  const visit = (trigger: Trigger, parent: CompiledComposite | null): void => {
    switch (trigger.type) {
      case 'event':
        events.push(compileEventTrigger(automation, trigger, parent, cache));
        break;
      case 'compound':
      case 'sequence': {
        const count = trigger.triggers.length;
        let needed = count;
        if (trigger.type === 'compound') needed = trigger.require === 'any' ? 1 : trigger.require === 'all' ? count : trigger.require;
        const node: CompiledComposite = {
          kind: 'composite',
          automation,
          trigger,
          uid: triggerUid(automation.id, trigger.id),
          parent,
          needed,
          withinMicros: trigger.within === null ? null : Math.round(trigger.within * SECOND_MICROS),
          childIds: trigger.triggers.map((t) => t.id),
        };
        for (const child of trigger.triggers) visit(child, node);
        break;
      }
      default:
        trigger satisfies never;
    }
  };
  visit(automation.trigger, null);
  return { automation, events, fingerprint: JSON.stringify(automation.trigger) };
}

function compileEventTrigger(
  automation: Automation,
  trigger: EventTrigger,
  parent: CompiledComposite | null,
  cache: MatcherCache,
): CompiledEventTrigger {
  const expect = [...new Set(trigger.expect)];
  const after = [...new Set(trigger.after)];
  const proactive = trigger.posture === 'Proactive';
  const forEach = [...new Set(trigger.for_each)].sort();
  const opensOnAnyCoveredEvent = proactive && forEach.length > 0 && after.length === 0;
  const nameKeys = expect.length === 0 ? ['*'] : [...new Set([...expect, ...after])];
  const indexKeys = opensOnAnyCoveredEvent ? [...new Set([...nameKeys, '*'])] : nameKeys;
  const match = cache.spec(trigger.match);
  const related = (Array.isArray(trigger.match_related) ? trigger.match_related : [trigger.match_related]).map((spec) => cache.spec(spec));
  const namePattern = expect.length === 0 ? /^./su : new RegExp(`^(?:${nameKeys.map(namePatternSource).join('|')})`, 'su');
  return {
    kind: 'event',
    automation,
    trigger,
    uid: triggerUid(automation.id, trigger.id),
    parent,
    proactive,
    immediate: !proactive && trigger.within === 0,
    withinMicros: Math.round(trigger.within * SECOND_MICROS),
    hasAfter: after.length > 0,
    forEach,
    opensOnAnyCoveredEvent,
    indexKeys,
    // Q-M2: the index's full glob and the prefix regex must both accept the name.
    covers: cache.names('covers', nameKeys, (p) => {
      const glob = compileIndexGlob(p);
      return (name) => glob(name) && namePattern.test(name);
    }),
    expects: expect.length === 0 ? () => true : cache.names('match', expect, compileLabelPattern),
    startsAfter: after.length === 0 ? () => false : cache.names('match', after, compileLabelPattern),
    coversResources: (event) => {
      if (!match.one(event.resource)) return 'resource';
      for (const spec of related) if (!spec.any(event.related)) return 'related';
      return null;
    },
    resourceIdPatterns: resourceIdPatterns(trigger.match),
    ordinal: 0,
    stamp: 0,
  };
}

/** Spec §2.2 `covers(event)`: name (both matchers, Q-M2) and resources. */
export function coverMiss(t: CompiledEventTrigger, event: ReceivedEvent): CoverMiss | null {
  if (!t.covers(event.event)) return 'name';
  return t.coversResources(event);
}

/** Full-string glob without negation, as the interest index matches (a leading `!` is a literal). */
function compileIndexGlob(pattern: string): (name: string) => boolean {
  if (!pattern.startsWith('!')) return compileLabelPattern(pattern);
  const rest = compileLabelPattern(pattern.slice(1));
  return (name) => name.startsWith('!') && rest(name.slice(1));
}

/** Python `re.escape` then `\*` → `.+`: other glob characters stay literal (Q-M2). */
function namePatternSource(pattern: string): string {
  return pattern
    .split('*')
    .map((part) => part.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))
    .join('.+');
}

function resourceIdPatterns(spec: ResourceSpecification): string[] | null {
  const value = spec['prefect.resource.id'];
  if (value === undefined) return null;
  const patterns = Array.isArray(value) ? value : [value];
  if (patterns.length === 0 || patterns.some((p) => p.startsWith('!'))) return null;
  return patterns;
}

/**
 * Spec §2.2 `find_label`: `related:<role>:<label>` reads the first related resource with that role;
 * without one, the whole string is looked up on the primary resource. Missing → `""`.
 */
function findLabel(event: ReceivedEvent, label: string): string {
  const cut = label.lastIndexOf(':');
  if (cut >= 0) {
    const directive = label.slice(0, cut);
    const tail = label.slice(cut + 1);
    const colon = directive.indexOf(':');
    const kind = colon >= 0 ? directive.slice(0, colon) : directive;
    if (kind === 'related') {
      const role = colon >= 0 ? directive.slice(colon + 1) : '';
      const related: RelatedResource | undefined = event.related.find((r) => r[RESOURCE_ROLE_LABEL] === role);
      if (related) return related[tail] ?? '';
    }
  }
  return event.resource[label] ?? '';
}

/** The bucketing key: one value per sorted `for_each` label. */
export function bucketingKey(t: CompiledEventTrigger, event: ReceivedEvent): string[] {
  return t.forEach.map((label) => findLabel(event, label));
}

/** `triggering_labels` of a firing for a key. */
export function triggeringLabels(t: CompiledEventTrigger, key: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  t.forEach.forEach((label, i) => (labels[label] = key[i] ?? ''));
  return labels;
}
