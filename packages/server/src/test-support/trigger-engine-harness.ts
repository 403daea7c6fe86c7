import {
  formatDateTime,
  parseDateTime,
  type Automation,
  type CompoundTrigger,
  type EventTrigger,
  type Firing,
  type ReceivedEvent,
  type RelatedResource,
  type Resource,
  type SequenceTrigger,
  type Trigger,
} from '@herald/core';
import { createTriggerEngine } from '../domain/triggers/trigger-engine.js';
import type { AutomationFiring, EngineOutput, TraceEntry, TriggerEngine, TriggerEngineOptions } from '../domain/triggers/engine-types.js';

/** Spec §6.0 base instant `T`, in µs. */
export const T = parseDateTime('2026-03-01T12:00:00Z')!;
export const SEC = 1_000_000;
/** `@+s` → µs. */
export const at = (seconds: number): number => T + Math.round(seconds * SEC);
export const MIN = 60;

/** Deterministic ids: a counter formatted as a UUID. */
export function idSequence(prefix = '0'): () => string {
  let n = 0;
  return () => `${prefix.padStart(8, '0')}-0000-7000-8000-${(++n).toString(16).padStart(12, '0')}`;
}

let triggerIds = 0;
const nextTriggerId = () => `tttttttt-0000-4000-8000-${(++triggerIds).toString(16).padStart(12, '0')}`;

/** An event trigger with the §6.0 defaults. */
export function eventTrigger(partial: Partial<EventTrigger>): EventTrigger {
  return {
    type: 'event',
    id: nextTriggerId(),
    match: {},
    match_related: {},
    after: [],
    expect: [],
    for_each: [],
    posture: 'Reactive',
    threshold: 1,
    within: 0,
    ...partial,
  };
}

export function compound(require: CompoundTrigger['require'], triggers: Trigger[], within: number | null = null): CompoundTrigger {
  return { type: 'compound', id: nextTriggerId(), require, triggers, within };
}

export function sequence(triggers: Trigger[], within: number | null = null): SequenceTrigger {
  return { type: 'sequence', id: nextTriggerId(), triggers, within };
}

let automationIds = 0;
export function automation(trigger: Trigger, partial: Partial<Automation> = {}): Automation {
  const id = `aaaaaaaa-0000-4000-8000-${(++automationIds).toString(16).padStart(12, '0')}`;
  return {
    id,
    created: '2026-01-01T00:00:00Z',
    updated: '2026-01-01T00:00:00Z',
    name: `automation ${id.slice(-4)}`,
    description: '',
    enabled: true,
    tags: [],
    trigger,
    actions: [{ type: 'do-nothing' }],
    actions_on_trigger: [],
    actions_on_resolve: [],
    ...partial,
  };
}

let eventIds = 0;
export interface EventOptions {
  related?: RelatedResource[];
  id?: string;
  follows?: string | null;
  /** µs; defaults to `occurred` (the event arrived when it happened). */
  received?: number;
  payload?: Record<string, string>;
}

/** `name@occurred` on `resource`. */
export function ev(name: string, occurred: number, resource: Resource | string, options: EventOptions = {}): ReceivedEvent {
  return {
    occurred: formatDateTime(occurred),
    event: name,
    resource: typeof resource === 'string' ? { 'prefect.resource.id': resource } : resource,
    related: options.related ?? [],
    payload: options.payload ?? {},
    id: options.id ?? `eeeeeeee-0000-7000-8000-${(++eventIds).toString(16).padStart(12, '0')}`,
    follows: options.follows ?? null,
    received: formatDateTime(options.received ?? occurred),
  };
}

/**
 * Drives one engine like spec §6.0: `E(x)` = `deliver`, `P(t)` = `proactive`, `M(w)` = `maintain`,
 * with the wall clock frozen at `T` unless moved. The "store" is every event delivered so far, which
 * is how the service answers `leaderProcessed`.
 */
export class EngineHarness {
  readonly engine: TriggerEngine;
  wall = T;
  readonly firings: AutomationFiring[] = [];
  readonly trace: TraceEntry[] = [];
  readonly outputs: EngineOutput[] = [];
  private readonly stored = new Set<string>();

  constructor(automations: Automation[], options: Partial<TriggerEngineOptions> = {}, engine?: TriggerEngine) {
    this.engine =
      engine ??
      createTriggerEngine({
        newId: idSequence(),
        toleranceMicros: 60 * SEC,
        causalWaitMicros: 30 * SEC,
        expiredBucketBufferMicros: 60 * SEC,
        ...options,
      });
    this.engine.loadAll(automations);
  }

  /** E(x): returns the firings it produced. */
  deliver(event: ReceivedEvent, wall = this.wall): AutomationFiring[] {
    this.wall = wall;
    const follows = event.follows;
    const leaderProcessed = follows === null || follows === event.id || this.stored.has(follows);
    this.stored.add(event.id);
    this.engine.onEvent(
      { event, occurred: parseDateTime(event.occurred)!, received: parseDateTime(event.received)!, leaderProcessed },
      wall,
    );
    return this.collect();
  }

  /** P(t) / M(w): a tick at wall time `t`. */
  tick(t: number): AutomationFiring[] {
    this.engine.tick(t);
    return this.collect();
  }

  collect(): AutomationFiring[] {
    const out = this.engine.drain();
    this.outputs.push(out);
    this.firings.push(...out.firings);
    this.trace.push(...out.trace);
    return out.firings;
  }

  /** Firings of one state only. */
  triggered(): Firing[] {
    return this.firings.filter((f) => f.firing.trigger_states.includes('Triggered')).map((f) => f.firing);
  }

  resolved(): Firing[] {
    return this.firings.filter((f) => f.firing.trigger_states.includes('Resolved')).map((f) => f.firing);
  }

  /** Every state record drained so far, folded (latest value per key; deletions removed). */
  persistedState(): { key: string; value: string }[] {
    const map = new Map<string, string | null>();
    for (const out of this.outputs) for (const r of out.state) map.set(r.key, r.value);
    return [...map].filter((e): e is [string, string] => e[1] !== null).map(([key, value]) => ({ key, value }));
  }
}
