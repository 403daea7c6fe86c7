import { parseDateTime, type Automation, type Firing, type ReceivedEvent } from '@herald/core';
import type { BusEvent, EventBus } from '../messaging/event-bus.js';
import type { EventStore } from '../storage/ports.js';
import type { AutomationTraces, TraceInput } from './automation-trace.js';
import { FencedOutError, type EngineCommit, type EngineStateStore, type NewJob, type StateRecordChange } from './engine-state-store.js';
import { firingJobs } from './firing-jobs.js';
import type { TriggerMetrics } from './trigger-metrics.js';

/** The engine as this service drives it (H3's `TriggerEngine`, `domain/triggers`). */
export interface TriggerEngineLike {
  loadAll(automations: Automation[]): void;
  upsert(automation: Automation): void;
  forget(automationId: string): void;
  restore(records: { key: string; value: string }[]): void;
  onEvent(input: { event: ReceivedEvent; occurred: number; received: number; leaderProcessed: boolean }, wallNow: number): void;
  isIdle(): boolean;
  tick(wallNow: number): void;
  nextDeadline(): number | null;
  drain(): { firings: { automation: Automation; firing: Firing }[]; state: StateRecordChange[]; trace: TraceInput[] };
}

/** Where automations come from (H4's `AutomationService`). */
export interface AutomationSource {
  list(): Promise<Automation[]> | Automation[];
  get(id: string): Promise<Automation | null> | Automation | null;
  onChange(listener: (change: { id: string; kind: 'created' | 'updated' | 'deleted' }) => void): () => void;
}

/** Minimal logger (pino-compatible). */
export interface TriggerLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface TriggerServiceOptions {
  engine: TriggerEngineLike;
  store: EngineStateStore;
  events: Pick<EventStore, 'readLog' | 'get'>;
  bus: EventBus;
  automations: AutomationSource;
  traces: AutomationTraces;
  metrics: TriggerMetrics;
  logger: TriggerLogger;
  /** Wall clock, µs. */
  now: () => number;
  /** Called after a commit that created jobs, with those jobs (the runner's `submit`). */
  onJobs: (jobs: readonly NewJob[]) => void;
  /** Most events evaluated per commit. Default 500. */
  batchSize?: number;
  /** Traces are saved with the first commit after this long. Default 2,000 ms. */
  traceFlushMs?: number;
  /** Called once when a commit is refused because another consumer claimed the state; the service then stops working. */
  onFencedOut?: (error: FencedOutError) => void;
}

/** The consumer: stored events in log order → engine → one commit of state, checkpoint and jobs. */
export interface TriggerService {
  /** Restores state, catches up from the checkpoint, then follows the bus. */
  start(): Promise<void>;
  /** The seq of the last event whose evaluation is committed. */
  readonly checkpoint: number;
  /** Resolves once every event published so far is evaluated and committed (tests, benchmarks). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

type Task =
  { kind: 'events'; events: BusEvent[] } | { kind: 'change'; id: string; deleted: boolean } | { kind: 'tick' } | { kind: 'flush' };

// The engine's timer runs at least this often, so proactive windows close on time even without events.
const MAX_TICK_MS = 1000;
const RECENT_IDS = 10_000;
const CATCH_UP_PAGE = 1000;

/**
 * Creates the trigger service. Exactly-once: the engine's state changes, the checkpoint and the jobs
 * of the firings are committed in one transaction; after a crash, the engine restarts from the last
 * commit and re-reads the events after its checkpoint, so an event is either wholly evaluated (and
 * its firings queued) or not at all. Catch-up reads the log, then the bus takes over, deduplicated
 * by seq, with no gap: the bus is subscribed before the log is read.
 *
 * `leaderProcessed` (causal ordering) is true when `follows` is null or self, when the leader was
 * evaluated recently, or when the store holds the leader at a lower seq (the log is evaluated in
 * order). The lookups run before the batch, so the engine's calls stay synchronous.
 *
 * @example
 * const service = createTriggerService({ engine, store, events, bus, automations, traces, metrics, logger, now, onJobs: runner.submit });
 * await service.start();
 */
export function createTriggerService(options: TriggerServiceOptions): TriggerService {
  const { engine, store, traces, metrics, logger, now } = options;
  const batchSize = options.batchSize ?? 500;
  const traceFlushMicros = (options.traceFlushMs ?? 2000) * 1000;
  const tasks: Task[] = [];
  const recent = new Set<string>();
  let checkpoint = 0;
  /** The last seq evaluated and committed, or skipped by an idle engine; ahead of `checkpoint` until the next commit. */
  let evaluated = 0;
  let live = false;
  let closing = false;
  /** Another consumer has claimed the state: nothing more is evaluated or committed here. */
  let fenced = false;
  let working: Promise<void> | null = null;
  let tickTimer: NodeJS.Timeout | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  let lastTraceFlush = now();
  let settledWaiters: (() => void)[] = [];
  let unsubscribeBus: (() => void) | null = null;
  let unsubscribeChanges: (() => void) | null = null;

  function enqueue(task: Task): void {
    if (closing || fenced) return;
    const last = tasks.at(-1);
    if (task.kind === 'events' && last?.kind === 'events') last.events.push(...task.events);
    else if (task.kind === 'tick' && tasks.some((t) => t.kind === 'tick')) return;
    else tasks.push(task);
    if (live) kick();
  }

  function kick(): void {
    working ??= work().finally(() => {
      working = null;
      if (tasks.length > 0 && !closing) kick();
      else afterIdle();
    });
  }

  async function work(): Promise<void> {
    for (let task = tasks.shift(); task; task = tasks.shift()) {
      try {
        await runTask(task);
      } catch (error) {
        // Only a commit can fail here, and commitWithRetry retries until closing or fenced out: nothing to redo.
        if (!(error instanceof FencedOutError)) logger.error({ err: error }, 'trigger service task failed');
      }
      if (closing || fenced) return;
    }
  }

  async function runTask(task: Task): Promise<void> {
    switch (task.kind) {
      case 'events': {
        const fresh = task.events.filter((e) => e.seq > evaluated);
        for (let i = 0; i < fresh.length; i += batchSize) await evaluate(fresh.slice(i, i + batchSize));
        return;
      }
      case 'change': {
        const automation = task.deleted ? null : await options.automations.get(task.id);
        if (automation) engine.upsert(automation);
        else {
          engine.forget(task.id);
          if (task.deleted) traces.forget(task.id);
        }
        await commitOutput(evaluated, now());
        return;
      }
      case 'tick': {
        const wall = now();
        engine.tick(wall);
        await commitOutput(evaluated, wall);
        return;
      }
      case 'flush':
        await commitOutput(evaluated, now(), true);
        return;
      default: {
        const never: never = task;
        throw new Error(`unknown task ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Evaluates events (ascending seq) and commits their output with the last seq as checkpoint. An idle
   * engine skips them unparsed, and their checkpoint goes with the next commit: the tick's, at most a
   * second later, or an automation change's, so that a new automation never sees events from before it.
   * A crash in between only replays events that change nothing.
   */
  async function evaluate(batch: readonly { seq: number; json: string }[]): Promise<void> {
    if (batch.length === 0) return;
    if (engine.isIdle()) {
      evaluated = batch.at(-1)!.seq;
      return;
    }
    const decoded = batch.map(decode);
    const leaderSeqs = await prefetchLeaders(decoded);
    const wall = now();
    let lastReceived: number | null = null;
    for (let i = 0; i < batch.length; i++) {
      const d = decoded[i];
      const seq = batch[i]!.seq;
      if (!d) continue;
      const follows = d.event.follows;
      const leaderSeq = follows ? leaderSeqs.get(follows) : undefined;
      const leaderProcessed = !follows || follows === d.event.id || recent.has(follows) || (leaderSeq !== undefined && leaderSeq < seq);
      engine.onEvent({ event: d.event, occurred: d.occurred, received: d.received, leaderProcessed }, wall);
      remember(d.event.id);
      lastReceived = d.received;
    }
    metrics.eventsEvaluated.inc(decoded.filter((d) => d !== null).length);
    const seq = batch.at(-1)!.seq;
    await commitOutput(seq, wall);
    evaluated = seq;
    if (lastReceived !== null) metrics.lagSeconds.set(Math.max(0, now() - lastReceived) / 1e6);
  }

  async function prefetchLeaders(decoded: readonly (Decoded | null)[]): Promise<Map<string, number>> {
    const wanted = new Set<string>();
    const inBatch = new Set<string>();
    for (const d of decoded) {
      if (!d) continue;
      const follows = d.event.follows;
      if (follows && follows !== d.event.id && !recent.has(follows) && !inBatch.has(follows)) wanted.add(follows);
      inBatch.add(d.event.id);
    }
    const seqs = new Map<string, number>();
    await Promise.all(
      [...wanted].map(async (id) => {
        const stored = await options.events.get(id);
        if (stored) seqs.set(id, stored.seq);
      }),
    );
    return seqs;
  }

  function remember(id: string): void {
    recent.add(id);
    if (recent.size > RECENT_IDS) recent.delete(recent.values().next().value!);
  }

  /** Drains the engine and commits its output; retries a failed commit until it succeeds or we close. */
  async function commitOutput(seq: number, wall: number, forceTraces = false): Promise<void> {
    const out = engine.drain();
    traces.add(out.trace);
    const newJobs = out.firings.flatMap((f) => firingJobs(f, wall));
    for (const f of out.firings) for (const state of f.firing.trigger_states) metrics.firings.inc({ state });
    const flushTraces = traces.hasDirty() && (forceTraces || wall - lastTraceFlush >= traceFlushMicros);
    if (out.state.length === 0 && newJobs.length === 0 && seq === checkpoint && !flushTraces) return;
    const batch: EngineCommit = { state: out.state, checkpoint: seq, newJobs, ...(flushTraces ? { traces: traces.takeDirty() } : {}) };
    if (flushTraces) lastTraceFlush = wall;
    await commitWithRetry(batch);
    checkpoint = Math.max(checkpoint, seq);
    if (newJobs.length > 0) options.onJobs(newJobs);
  }

  async function commitWithRetry(batch: EngineCommit): Promise<void> {
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 5000)) {
      try {
        await store.commit(batch);
        return;
      } catch (error) {
        if (error instanceof FencedOutError) {
          // Another replica evaluates now, from the last commit; whatever this one evaluated since is its to redo.
          if (!fenced) {
            fenced = true;
            tasks.length = 0;
            logger.warn({ err: error }, 'another consumer claimed the trigger engine state; this one stops');
            options.onFencedOut?.(error);
          }
          throw error;
        }
        // Not committed: the checkpoint stays, so a restart re-evaluates these events.
        if (closing) throw error;
        logger.error({ err: error }, 'committing trigger engine state failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  function afterIdle(): void {
    if (closing) return;
    const waiters = settledWaiters;
    settledWaiters = [];
    for (const w of waiters) w();
    scheduleTick();
  }

  function scheduleTick(): void {
    if (tickTimer) clearTimeout(tickTimer);
    const deadline = engine.nextDeadline();
    const ms = deadline === null ? MAX_TICK_MS : Math.max(0, Math.min(MAX_TICK_MS, Math.ceil((deadline - now()) / 1000)));
    tickTimer = setTimeout(() => {
      tickTimer = null;
      enqueue({ kind: 'tick' });
    }, ms);
  }

  return {
    get checkpoint() {
      return checkpoint;
    },

    async start() {
      unsubscribeChanges = options.automations.onChange((change) =>
        enqueue({ kind: 'change', id: change.id, deleted: change.kind === 'deleted' }),
      );
      // Subscribed before reading the log: whatever is committed from now on is queued here.
      // A copy: queued tasks grow in place, and the bus hands the same array to every subscriber.
      unsubscribeBus = options.bus.subscribe((events: BusEvent[]) => enqueue({ kind: 'events', events: [...events] }));
      const snapshot = await store.load();
      checkpoint = evaluated = snapshot.checkpoint;
      traces.restore(snapshot.traces);
      engine.loadAll(await options.automations.list());
      engine.restore(snapshot.records);
      for (;;) {
        const page = await options.events.readLog(evaluated, CATCH_UP_PAGE);
        await evaluate(page);
        if (page.length < CATCH_UP_PAGE) break;
      }
      logger.info({ checkpoint }, 'trigger service caught up');
      live = true;
      flushTimer = setInterval(() => {
        if (traces.hasDirty()) enqueue({ kind: 'flush' });
      }, options.traceFlushMs ?? 2000);
      kick();
    },

    settled() {
      return new Promise((resolve) => {
        settledWaiters.push(resolve);
        if (!live) return;
        // Skipped events are settled once their checkpoint is committed.
        if (evaluated > checkpoint) enqueue({ kind: 'flush' });
        kick();
      });
    },

    async close() {
      if (closing) return;
      // From here nothing new is queued, the task running now is the last, and a failing commit gives
      // up instead of retrying (its events stay after the checkpoint and are evaluated on restart).
      closing = true;
      unsubscribeBus?.();
      unsubscribeChanges?.();
      if (tickTimer) clearTimeout(tickTimer);
      if (flushTimer) clearInterval(flushTimer);
      tasks.length = 0;
      await working;
      // Save the last traces and the checkpoint of skipped events; evaluated state is already committed.
      if (!fenced && (traces.hasDirty() || evaluated > checkpoint)) {
        try {
          await store.commit({ state: [], checkpoint: evaluated, newJobs: [], traces: traces.takeDirty() });
        } catch (error) {
          logger.warn({ err: error }, 'could not save the automation traces on close');
        }
      }
      const waiters = settledWaiters;
      settledWaiters = [];
      for (const w of waiters) w();
    },
  };
}

interface Decoded {
  event: ReceivedEvent;
  occurred: number;
  received: number;
}

function decode(row: { json: string }): Decoded | null {
  try {
    const event = JSON.parse(row.json) as ReceivedEvent;
    const occurred = parseDateTime(event.occurred);
    const received = parseDateTime(event.received);
    return occurred === null || received === null ? null : { event, occurred, received };
  } catch {
    return null;
  }
}
