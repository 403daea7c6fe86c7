import { parseGlob, RESOURCE_ID_LABEL, type ReceivedEvent } from '@herald/core';
import type { CompiledEventTrigger } from './compiled-trigger.js';

/**
 * Maps glob patterns to slots so that a string finds every slot whose pattern *could* match it:
 * literal patterns by exact string, others by their literal prefix before the first metacharacter,
 * and patterns starting with a metacharacter in a small "any" slot. A superset: callers confirm.
 */
class PatternIndex<V> {
  private readonly exact = new Map<string, V>();
  private readonly prefixes = new Map<number, Map<string, V>>();
  private prefixLengths: number[] = [];
  private anySlot: V | undefined;

  constructor(private readonly create: () => V) {}

  /** The slot for a pattern (a leading `!` is a literal here, as in the interest index). */
  slot(pattern: string): V {
    const tokens = parseGlob(pattern);
    const first = tokens[0];
    if (tokens.length === 0) return this.exactSlot('');
    if (tokens.length === 1 && first?.kind === 'literal') return this.exactSlot(first.text);
    if (first?.kind !== 'literal') return (this.anySlot ??= this.create());
    let byPrefix = this.prefixes.get(first.text.length);
    if (!byPrefix) {
      byPrefix = new Map();
      this.prefixes.set(first.text.length, byPrefix);
      this.prefixLengths = [...this.prefixes.keys()].sort((a, b) => a - b);
    }
    let slot = byPrefix.get(first.text);
    if (!slot) byPrefix.set(first.text, (slot = this.create()));
    return slot;
  }

  visit(value: string, visit: (slot: V) => void): void {
    const exact = this.exact.get(value);
    if (exact !== undefined) visit(exact);
    for (const length of this.prefixLengths) {
      if (length > value.length) break;
      const slot = this.prefixes.get(length)!.get(value.slice(0, length));
      if (slot !== undefined) visit(slot);
    }
    if (this.anySlot !== undefined) visit(this.anySlot);
  }

  private exactSlot(text: string): V {
    let slot = this.exact.get(text);
    if (!slot) this.exact.set(text, (slot = this.create()));
    return slot;
  }
}

// Shared by every index: a rebuilt index must never reuse a stamp that a trigger still carries.
let lookupStamp = 0;

/**
 * The interest index (spec §3.4, ARCHITECTURE "Performance design notes"): event triggers by
 * event-name pattern, then by the literal `prefect.resource.id` of their `match`. The cost of a
 * lookup grows with the triggers that could match, not with all loaded triggers.
 *
 * @example
 * const index = new TriggerIndex(triggers);
 * index.candidates(event, (t) => evaluate(t));
 */
export class TriggerIndex {
  private readonly byName = new PatternIndex(() => new PatternIndex<CompiledEventTrigger[]>(() => []));

  constructor(triggers: Iterable<CompiledEventTrigger>) {
    for (const t of triggers) {
      for (const key of t.indexKeys) {
        const byResource = this.byName.slot(key);
        for (const pattern of t.resourceIdPatterns ?? ['*']) byResource.slot(pattern).push(t);
      }
    }
  }

  /** Calls `visit` once for every trigger that may be interested in the event (a superset). */
  candidates(event: ReceivedEvent, visit: (t: CompiledEventTrigger) => void): void {
    const stamp = ++lookupStamp;
    const resourceId = event.resource[RESOURCE_ID_LABEL] ?? '';
    this.byName.visit(event.event, (byResource) =>
      byResource.visit(resourceId, (list) => {
        for (const t of list) {
          if (t.stamp === stamp) continue;
          t.stamp = stamp;
          visit(t);
        }
      }),
    );
  }
}
