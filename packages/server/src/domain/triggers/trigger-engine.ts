import type { Automation, Firing } from '@herald/core';
import { evaluateCoveredEvent, evaluateProactive, openKeyWindow, type EvalContext } from './bucket-evaluation.js';
import { compileAutomation, coverMiss, type CompiledAutomation, type CompiledEventTrigger, type CompiledNode } from './compiled-trigger.js';
import { evaluateComposite } from './composite-evaluation.js';
import { EngineState, type ParkedFollower } from './engine-state.js';
import {
  DEFAULT_ENGINE_OPTIONS,
  MAX_FOLLOWER_DEPTH,
  MAX_LINEAGE_IDS,
  SEEN_CACHE_SIZE,
  type AutomationFiring,
  type EngineEventInput,
  type EngineOutput,
  type TraceEntry,
  type TraceKind,
  type TriggerEngine,
  type TriggerEngineOptions,
} from './engine-types.js';
import { lineageIds } from './lineage.js';
import { MatcherCache } from './matcher-cache.js';
import { TriggerIndex } from './trigger-index.js';

/**
 * Creates the pure trigger engine: spec `automations.md` §3 with DECISIONS 11–13 and 16. It reads no
 * clock (wall time is an argument) and does no I/O; the service persists what `drain()` returns.
 *
 * @example
 * const engine = createTriggerEngine({ newId: newEventId, toleranceMicros: 60e6, causalWaitMicros: 30e6, expiredBucketBufferMicros: 60e6 });
 * engine.loadAll(automations);
 * engine.onEvent({ event, occurred, received, leaderProcessed: true }, nowMicros);
 * const { firings, state, trace } = engine.drain();
 */
export function createTriggerEngine(options: TriggerEngineOptions): TriggerEngine {
  return new Engine(options);
}

class Engine implements TriggerEngine, EvalContext {
  readonly state = new EngineState();
  tracing = true;
  private readonly maxTrace: number;
  private automations = new Map<string, CompiledAutomation>();
  private matchers = new MatcherCache();
  private eventTriggers: CompiledEventTrigger[] = [];
  private proactive: CompiledEventTrigger[] = [];
  private index: TriggerIndex | null = null;
  /** Earliest proactive schedule (`as_of` time) at the last full scan; −∞ = some trigger is due now. */
  private proactiveDueAt = Number.NEGATIVE_INFINITY;
  private readonly seen = new Set<string>();
  private readonly seenOrder: string[] = [];
  private seenHead = 0;
  private wall = 0;
  private firings: AutomationFiring[] = [];
  private traceEntries: TraceEntry[] = [];
  private traceTruncated = false;

  constructor(private readonly options: TriggerEngineOptions) {
    this.maxTrace = options.maxTracePerDrain ?? DEFAULT_ENGINE_OPTIONS.maxTracePerDrain;
    this.tracing = this.maxTrace > 0;
  }

  // Loading ---------------------------------------------------------------------------------------

  loadAll(automations: Automation[]): void {
    // A full reload starts a fresh cache, so that matchers of removed automations do not linger.
    this.matchers = new MatcherCache();
    const next = new Map<string, CompiledAutomation>();
    for (const automation of automations) if (automation.enabled) next.set(automation.id, this.compile(automation));
    for (const [id, previous] of this.automations) if (!next.has(id)) this.clearSchedules(previous);
    this.automations = next;
    this.reindex();
  }

  upsert(automation: Automation): void {
    if (!automation.enabled) {
      this.forget(automation.id);
      return;
    }
    this.automations.set(automation.id, this.compile(automation));
    this.reindex();
  }

  forget(automationId: string): void {
    const previous = this.automations.get(automationId);
    if (!previous) return;
    this.clearSchedules(previous);
    this.automations.delete(automationId);
    this.reindex();
  }

  /** A changed definition is evaluated afresh (spec §3.14 clears `next_run` on load); an unchanged one keeps its schedule. */
  private compile(automation: Automation): CompiledAutomation {
    const compiled = compileAutomation(automation, this.matchers);
    const previous = this.automations.get(automation.id);
    if (previous && previous.fingerprint !== compiled.fingerprint) this.clearSchedules(previous);
    return compiled;
  }

  private clearSchedules(compiled: CompiledAutomation): void {
    for (const t of compiled.events) if (t.proactive) this.state.clearSchedule(t.uid);
  }

  private reindex(): void {
    const all = [...this.automations.values()].sort((a, b) =>
      a.automation.id < b.automation.id ? -1 : a.automation.id > b.automation.id ? 1 : 0,
    );
    this.eventTriggers = all.flatMap((a) => a.events);
    this.eventTriggers.forEach((t, i) => (t.ordinal = i));
    this.proactive = this.eventTriggers.filter((t) => t.proactive);
    this.index = null;
    this.rescanSchedules();
  }

  /** A trigger without a schedule is due at once (−∞). */
  private rescanSchedules(): void {
    this.proactiveDueAt = Number.POSITIVE_INFINITY;
    for (const t of this.proactive)
      this.proactiveDueAt = Math.min(this.proactiveDueAt, this.state.scheduledAt(t.uid) ?? Number.NEGATIVE_INFINITY);
    this.state.scheduleFloor = Number.POSITIVE_INFINITY;
  }

  restore(records: { key: string; value: string }[]): void {
    this.state.restore(records);
  }

  // Events ----------------------------------------------------------------------------------------

  onEvent(input: EngineEventInput, wallNow: number): void {
    this.wall = wallNow;
    this.updateClock(input.occurred, wallNow);
    const { id, follows } = input.event;
    if (this.seen.has(id) || this.state.parked.has(id)) return;
    const mustWait =
      follows !== null &&
      follows !== id &&
      wallNow - input.received < this.options.causalWaitMicros &&
      (this.state.parked.has(follows) || (!input.leaderProcessed && !this.seen.has(follows)));
    if (mustWait) {
      const follower: ParkedFollower = { type: 'parked', input, parkedAt: wallNow, releaseAt: wallNow + this.options.causalWaitMicros };
      this.state.park(follower);
      this.traceCandidates(input, 'waiting', { leader: follows, until: follower.releaseAt });
      return;
    }
    this.process(input, 0);
  }

  isIdle(): boolean {
    return this.automations.size === 0 && this.state.parked.size === 0;
  }

  /** Evaluates one event, then the followers parked on it, in `occurred` order (spec §3.2.1). */
  private process(input: EngineEventInput, depth: number): void {
    this.evaluateEvent(input);
    this.markSeen(input.event.id);
    if (depth >= MAX_FOLLOWER_DEPTH) return;
    const ids = this.state.parkedByLeader.get(input.event.id);
    if (!ids) return;
    const followers = [...ids].map((id) => this.state.parked.get(id)!).sort(byOccurred);
    for (const f of followers) {
      if (!this.state.unpark(f.input.event.id)) continue;
      this.traceCandidates(f.input, 'released', { leader: input.event.id, reason: 'leader processed', waited: this.wall - f.parkedAt });
      this.updateClock(f.input.occurred, this.wall);
      this.process(f.input, depth + 1);
    }
  }

  private evaluateEvent(input: EngineEventInput): void {
    const { event } = input;
    const time = input.occurred > input.received + this.options.toleranceMicros ? input.received : input.occurred;
    const lineage = event.related.length === 0 ? null : lineageIds(event);
    const loop = lineage !== null && lineage.size >= MAX_LINEAGE_IDS;
    for (const t of this.candidates(input)) {
      if (lineage !== null && (loop || lineage.has(t.automation.id))) {
        if (this.tracing)
          this.trace(t.automation.id, 'rejected', { event: event.id, trigger: t.trigger.id, reason: 'loop', lineage: lineage.size });
        continue;
      }
      const miss = coverMiss(t, event);
      if (miss === null) evaluateCoveredEvent(this, t, event, time);
      else if (miss === 'name' && t.opensOnAnyCoveredEvent && t.coversResources(event) === null) openKeyWindow(this, t, event, time);
      else if (this.tracing) this.trace(t.automation.id, 'rejected', { event: event.id, trigger: t.trigger.id, reason: miss });
    }
  }

  /** Candidate triggers in a stable order (load ordinal), so that indexed and scanning lookups agree. */
  private candidates(input: EngineEventInput): CompiledEventTrigger[] {
    if (this.options.candidateLookup === 'scan') return this.eventTriggers;
    this.index ??= new TriggerIndex(this.eventTriggers);
    const found: CompiledEventTrigger[] = [];
    this.index.candidates(input.event, (t) => found.push(t));
    if (found.length > 1) found.sort((a, b) => a.ordinal - b.ordinal);
    return found;
  }

  private traceCandidates(input: EngineEventInput, kind: TraceKind, detail: Record<string, unknown>): void {
    if (!this.tracing) return;
    for (const t of this.candidates(input)) {
      if (coverMiss(t, input.event) !== null && !t.opensOnAnyCoveredEvent) continue;
      this.trace(t.automation.id, kind, { event: input.event.id, trigger: t.trigger.id, ...detail });
    }
  }

  /** Spec §3.3: the events clock only moves forward and never past the wall clock; its stamp always moves. */
  private updateClock(occurred: number, wallNow: number): void {
    const ts = Math.min(occurred, wallNow);
    const clock = this.state.clock === null || ts >= this.state.clock ? ts : this.state.clock;
    this.state.setClock(clock, wallNow);
  }

  private offset(): number {
    return this.state.clock === null ? 0 : this.state.clock - this.state.clockUpdatedAt;
  }

  private markSeen(id: string): void {
    if (this.seen.has(id)) return;
    if (this.seenOrder.length < SEEN_CACHE_SIZE) this.seenOrder.push(id);
    else {
      this.seen.delete(this.seenOrder[this.seenHead]!);
      this.seenOrder[this.seenHead] = id;
      this.seenHead = (this.seenHead + 1) % SEEN_CACHE_SIZE;
    }
    this.seen.add(id);
  }

  // Time ------------------------------------------------------------------------------------------

  tick(wallNow: number): void {
    this.wall = wallNow;
    const lost = [...this.state.parked.values()].filter((f) => f.releaseAt <= wallNow).sort(byOccurred);
    for (const f of lost) {
      if (!this.state.unpark(f.input.event.id)) continue;
      this.traceCandidates(f.input, 'released', { leader: f.input.event.follows, reason: 'wait expired', waited: wallNow - f.parkedAt });
      this.updateClock(f.input.occurred, wallNow);
      this.process(f.input, 0);
    }
    const asOf = wallNow + this.offset();
    if (asOf >= Math.min(this.proactiveDueAt, this.state.scheduleFloor)) {
      for (const t of this.proactive) {
        const at = this.state.scheduledAt(t.uid);
        if (at === undefined || at <= asOf) evaluateProactive(this, t, asOf);
      }
      // Every trigger now has a schedule: later ticks skip the scan until the earliest one is due.
      this.rescanSchedules();
    }
    const horizon = asOf - this.options.expiredBucketBufferMicros;
    if (this.state.sweepHint <= horizon) this.state.sweep(horizon);
  }

  nextDeadline(): number | null {
    let deadline = Number.POSITIVE_INFINITY;
    for (const f of this.state.parked.values()) deadline = Math.min(deadline, f.releaseAt);
    const offset = this.offset();
    if (this.proactive.length > 0) {
      const due = Math.min(this.proactiveDueAt, this.state.scheduleFloor);
      deadline = Math.min(deadline, due === Number.NEGATIVE_INFINITY ? this.wall : due - offset);
    }
    if (this.state.buckets.size > 0) deadline = Math.min(deadline, this.state.sweepHint + this.options.expiredBucketBufferMicros - offset);
    return deadline === Number.POSITIVE_INFINITY ? null : deadline;
  }

  // Output ----------------------------------------------------------------------------------------

  newId(): string {
    return this.options.newId();
  }

  fire(node: CompiledNode, firing: Firing, time: number): void {
    if (node.parent) evaluateComposite(this, node.parent, firing, time);
    else this.firings.push({ automation: node.automation, firing });
  }

  trace(automationId: string, kind: TraceKind, detail: Record<string, unknown>): void {
    if (this.traceEntries.length >= this.maxTrace) return;
    this.traceEntries.push({ automationId, at: this.wall, kind, detail });
    if (this.traceEntries.length >= this.maxTrace) {
      // Callers test `tracing` before building details, so later decisions cost nothing.
      this.tracing = false;
      this.traceTruncated = true;
    }
  }

  drain(): EngineOutput {
    const output: EngineOutput = {
      firings: this.firings,
      state: this.state.drainRecords(),
      trace: this.traceEntries,
      traceTruncated: this.traceTruncated,
    };
    this.firings = [];
    this.traceEntries = [];
    this.traceTruncated = false;
    this.tracing = this.maxTrace > 0;
    return output;
  }
}

function byOccurred(a: ParkedFollower, b: ParkedFollower): number {
  return a.input.occurred - b.input.occurred || (a.input.event.id < b.input.event.id ? -1 : a.input.event.id > b.input.event.id ? 1 : 0);
}
