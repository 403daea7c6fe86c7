import type { Automation, Firing, ReceivedEvent } from '@herald/core';

/** Options of {@link createTriggerEngine}. All durations are microseconds. */
export interface TriggerEngineOptions {
  /** UUIDv7 in production, deterministic in tests. */
  newId: () => string;
  /** DECISIONS 12: an event more than this far in the future counts at its `received` time (default 60 s). */
  toleranceMicros: number;
  /** DECISIONS 16: longest wait for a missing `follows` leader, on the wall clock from hand-over (default 30 s). */
  causalWaitMicros: number;
  /** Sweep horizon for expired buckets (spec: 60 s). */
  expiredBucketBufferMicros: number;
  /** Most trace entries kept between two `drain()` calls; later decisions are not traced (default 10,000). */
  maxTracePerDrain?: number;
  /**
   * `indexed` (default) looks candidate triggers up in the interest index; `scan` tests every loaded
   * trigger. Both give the same results (a differential test holds them together); `scan` exists for
   * that test and for diagnosing the index.
   */
  candidateLookup?: 'indexed' | 'scan';
}

/** One event handed to the engine. */
export interface EngineEventInput {
  /** Parsed. */
  event: ReceivedEvent;
  /** `event.occurred` and `event.received` in microseconds. */
  occurred: number;
  received: number;
  /** True when the `follows` leader is null, self, or was already processed (the service checks the store). */
  leaderProcessed: boolean;
}

/** A firing of an automation's top-level trigger: states `Triggered` or `Resolved`. */
export interface AutomationFiring {
  automation: Automation;
  firing: Firing;
}

/** One changed piece of engine state. `value` null = delete. Keys and values are opaque to the service. */
export interface EngineStateRecord {
  key: string;
  value: string | null;
}

export type TraceKind = 'matched' | 'rejected' | 'counted' | 'ignored' | 'window' | 'waiting' | 'released' | 'fired' | 'resolved';

/** One evaluation decision, for "why did or didn't it fire?". `at` is wall time in microseconds. */
export interface TraceEntry {
  automationId: string;
  at: number;
  kind: TraceKind;
  detail: Record<string, unknown>;
}

/** Everything the engine produced since the previous `drain()`. */
export interface EngineOutput {
  firings: AutomationFiring[];
  state: EngineStateRecord[];
  trace: TraceEntry[];
  /** True when `maxTracePerDrain` was reached and later decisions were not traced. */
  traceTruncated: boolean;
}

/** The pure trigger engine (spec `automations.md` §3 with DECISIONS 11–13 and 16). */
export interface TriggerEngine {
  /** Full reload; disabled automations are ignored. Proactive schedules of unchanged triggers are kept. */
  loadAll(automations: Automation[]): void;
  /** (Re)loads one automation; a disabled one is forgotten (its state is kept, as in Prefect). */
  upsert(automation: Automation): void;
  forget(automationId: string): void;
  /** State persisted earlier; call before any event. */
  restore(records: { key: string; value: string }[]): void;
  onEvent(input: EngineEventInput, wallNow: number): void;
  /**
   * True when no automation is loaded and no follower is parked: an event can then change nothing the
   * engine keeps but its events clock, which the next evaluated event sets again, so callers may skip it.
   */
  isIdle(): boolean;
  /** Proactive evaluation, followers whose wait ended, bucket sweep. */
  tick(wallNow: number): void;
  /** Wall time (µs) at which `tick()` next has work, or null when it has none. */
  nextDeadline(): number | null;
  drain(): EngineOutput;
}

export const SECOND_MICROS = 1_000_000;
/** PRECEDING_EVENT_LOOKBACK: the first bucket of a key without `after` starts this far before its event. */
export const PRECEDING_EVENT_LOOKBACK_MICROS = 15 * 60 * SECOND_MICROS;
/** MAX_DEPTH_OF_PRECEDING_EVENT: followers released in a chain deeper than this wait for their timeout. */
export const MAX_FOLLOWER_DEPTH = 20;
/** Lineage: events carrying this many automation ids or more are never evaluated. */
export const MAX_LINEAGE_IDS = 8;
export const LINEAGE_ROLE = 'herald-lineage';
export const LINEAGE_LABEL = 'herald.automations';
/** Duplicate suppression: the ids of this many recently processed events are remembered. */
export const SEEN_CACHE_SIZE = 10_000;

export const DEFAULT_ENGINE_OPTIONS = {
  toleranceMicros: 60 * SECOND_MICROS,
  causalWaitMicros: 30 * SECOND_MICROS,
  expiredBucketBufferMicros: 60 * SECOND_MICROS,
  maxTracePerDrain: 10_000,
} as const;
