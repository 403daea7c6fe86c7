import { formatDateTime, HeraldError, normalizeUuid, type Event, type ReceivedEvent } from '@herald/core';
import type { IngestService } from '../ingestion/ingest-service.js';
import type { EventStore } from '../storage/ports.js';
import type { ActionExecutor, ActionJob, ActionOutcome } from './actions/action-job.js';
import { derivedEventId } from './actions/derived-event-id.js';
import { hasAttemptsLeft, retryDelayMs, type RetryPolicy } from './actions/retry-policy.js';
import type { AutomationTraces } from './automation-trace.js';
import type { EngineStateStore, NewJob, StoredJob } from './engine-state-store.js';
import type { ActionJobBody, StateEventJobBody } from './firing-jobs.js';
import type { TriggerMetrics } from './trigger-metrics.js';

/** H5's `buildActionEvents`: `action.triggered` then `action.executed|failed`, with the given ids. */
export type BuildActionEvents = (
  job: ActionJob,
  outcome: ActionOutcome,
  ids: { triggered: string; outcome: string },
  now: string,
) => [Event, Event];

/** Minimal logger (pino-compatible). */
export interface RunnerLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface ActionRunnerOptions {
  store: EngineStateStore;
  executor: ActionExecutor;
  buildActionEvents: BuildActionEvents;
  ingest: Pick<IngestService, 'ingestBatch'>;
  events: Pick<EventStore, 'get'>;
  traces: AutomationTraces;
  metrics: TriggerMetrics;
  logger: RunnerLogger;
  policy: RetryPolicy;
  /** Jobs running at once. Default 128. */
  concurrency?: number;
  /** Wall clock, µs. */
  now: () => number;
  random?: () => number;
}

/** Runs the outbox: state events first, then the actions that refer to them. */
export interface ActionRunner {
  /** Starts polling the outbox (jobs left by a previous run resume here). */
  start(): void;
  /** New jobs were committed: look now instead of at the next poll. */
  notify(): void;
  /** Jobs just committed: run them now, without reading them back (falls back to `notify` when busy). */
  submit(jobs: readonly NewJob[]): void;
  /** Resolves when no job is due or running (tests, benchmarks). */
  idle(): Promise<void>;
  /** Stops taking jobs and waits for the running ones. */
  close(): Promise<void>;
}

// With nothing due, the outbox is still read this often (jobs whose wait ended, missed notifications).
const MAX_SLEEP_MS = 1000;
// An ingest that failed for a transient reason (storage unavailable) is tried again after this long.
const INGEST_RETRY_MS = 1000;

/**
 * Creates the outbox runner. Each action job calls H5's executor; a retryable failure is rescheduled
 * after `max(retryAfterMs, backoff with jitter)` with its attempt count persisted, so an action
 * interrupted mid-retry resumes after a restart; the attempt budget spent, it reports
 * `action.failed`. Each job's events carry ids derived from the job id, so a job re-run after a
 * crash cannot store its events twice. Every attempt is recorded in the automation's trace.
 *
 * @example
 * const runner = createActionRunner({ store, executor, buildActionEvents, ingest, events, traces, metrics, logger, policy, now });
 * runner.start();
 * await store.commit({ state: [], checkpoint, newJobs }); runner.notify();
 */
export function createActionRunner(options: ActionRunnerOptions): ActionRunner {
  const { store, traces, metrics, logger, policy, now } = options;
  const concurrency = options.concurrency ?? 128;
  const random = options.random ?? Math.random;
  const running = new Map<string, Promise<void>>();
  // Outcomes whose events could not be ingested yet: a retry re-sends them instead of acting again.
  const unreported = new Map<string, Event[]>();
  let pumping = false;
  let again = false;
  let closing = false;
  let started = false;
  let timer: NodeJS.Timeout | null = null;
  let idleWaiters: (() => void)[] = [];
  // Completions are grouped: one transaction (one fsync) for all the jobs that finished meanwhile. A
  // job stays "running" until its completion is committed, so the outbox never hands it out again.
  const completions = createGroup<string>((ids) => store.completeMany(ids));

  function pump(): void {
    if (!started || closing) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    void fill()
      .catch((error: unknown) => logger.error({ err: error }, 'reading the automation job outbox failed; retrying'))
      .finally(() => {
        pumping = false;
        if (again) pump();
      });
  }

  async function fill(): Promise<void> {
    let sleepMs = MAX_SLEEP_MS;
    do {
      again = false;
      const free = concurrency - running.size;
      if (free <= 0) return; // a finishing job pumps again
      // A job submitted while this query ran may be among the rows: never start a job twice.
      const jobs = (await store.due(now(), free, new Set(running.keys()))).filter((job) => !running.has(job.id));
      const stateJobs = jobs.filter((j) => j.kind === 'state-event');
      if (stateJobs.length > 0) track(stateJobs, runStateEvents(stateJobs));
      for (const job of jobs) if (job.kind === 'action') track([job], runAction(job));
      if (jobs.length === free) again = true;
    } while (again && !closing);
    const next = await store.nextDue();
    if (next !== null && next > now()) sleepMs = Math.min(MAX_SLEEP_MS, Math.ceil((next - now()) / 1000));
    if (running.size === 0 && (next === null || next > now())) resolveIdle();
    schedule(sleepMs);
  }

  function schedule(ms: number): void {
    if (closing) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      pump();
    }, ms);
  }

  function resolveIdle(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Keeps jobs in `running` until `work` settles; an unexpected failure reschedules them. */
  function track(jobs: StoredJob[], work: Promise<void>): void {
    const run = work
      .catch(async (error: unknown) => {
        logger.error({ err: error, jobIds: jobs.map((j) => j.id) }, 'an automation job failed unexpectedly; it will be retried');
        for (const job of jobs)
          await store.reschedule(job.id, job.attempts, now() + INGEST_RETRY_MS * 1000, String(error)).catch(() => undefined);
      })
      .finally(() => {
        for (const job of jobs) running.delete(job.id);
        pump();
      });
    for (const job of jobs) running.set(job.id, run);
  }

  /** Ingests events; false when storage is unavailable for now (the job is then retried later). */
  async function ingest(jobId: string, events: readonly Event[]): Promise<'ok' | 'invalid' | 'unavailable'> {
    try {
      await options.ingest.ingestBatch(events);
      return 'ok';
    } catch (error) {
      if (error instanceof HeraldError && error.code === 'EVENT_VALIDATION_FAILED') {
        logger.error({ jobId, issues: error.details }, 'an automation event was refused by validation; it is dropped');
        return 'invalid';
      }
      logger.warn({ err: error, jobId }, 'could not store an automation event; retrying');
      return 'unavailable';
    }
  }

  /** Stores the state events of several firings in one ingest call (one commit), then completes them. */
  async function runStateEvents(jobs: StoredJob[]): Promise<void> {
    const stored = await storeStateEvents(jobs);
    await Promise.all(stored.map((id) => completions.add(id)));
  }

  /** Ingests the state events; resolves with the ids of the jobs whose event is stored (or refused for good). */
  async function storeStateEvents(jobs: StoredJob[]): Promise<string[]> {
    const events = jobs.map((job) => (JSON.parse(job.body) as StateEventJobBody).event);
    let result = await ingest(jobs[0]!.id, events);
    if (result === 'invalid' && jobs.length > 1) {
      // One of them is refused: store the others, each on its own.
      return (await Promise.all(jobs.map((job) => storeStateEvents([job])))).flat();
    }
    if (result === 'invalid' && events[0]!.payload.triggering_event !== null) {
      // Most likely too large with the triggering event embedded: send it without.
      result = await ingest(jobs[0]!.id, [{ ...events[0]!, payload: { ...events[0]!.payload, triggering_event: null } }]);
    }
    if (result === 'unavailable') {
      for (const job of jobs) await store.reschedule(job.id, job.attempts, now() + INGEST_RETRY_MS * 1000, 'storage unavailable');
      return [];
    }
    traces.add(
      jobs.map((job, i) => ({
        automationId: job.automationId,
        at: now(),
        kind: 'state-event',
        detail: { event: events[i]!.event, event_id: events[i]!.id, stored: result === 'ok' },
      })),
    );
    return jobs.map((job) => job.id);
  }

  /**
   * Runs jobs just committed by the consumer straight away, without reading them back: the state
   * events first, then each action as soon as its state event is stored (its completion is recorded
   * meanwhile). Jobs that cannot start now stay in the outbox for the poll.
   */
  function submit(jobs: readonly NewJob[]): void {
    if (!started || closing || running.size + jobs.length > concurrency) {
      pump();
      return;
    }
    const fresh: StoredJob[] = jobs.filter((job) => !running.has(job.id)).map((job) => ({ ...job, attempts: 0, lastError: null }));
    const states = fresh.filter((job) => job.kind === 'state-event');
    const stored = states.length > 0 ? storeStateEvents(states) : Promise.resolve([]);
    if (states.length > 0)
      track(
        states,
        stored.then((ids) => Promise.all(ids.map((id) => completions.add(id)))).then(() => undefined),
      );
    const stateIds = new Set(states.map((job) => job.id));
    for (const job of fresh) {
      if (job.kind !== 'action') continue;
      track(
        [job],
        (async () => {
          const done = new Set(await stored);
          // A state event not stored yet (storage unavailable): the poll runs the action after it.
          if (job.dependsOn !== null && stateIds.has(job.dependsOn) && !done.has(job.dependsOn)) return;
          await runAction(job);
        })(),
      );
    }
  }

  /** The triggering event of an action: the firing's, or the stored state event (read back for its `received`). */
  async function triggeringEvent(body: ActionJobBody): Promise<ReceivedEvent | null> {
    if (body.triggeringEvent.source === 'firing') return body.firing.triggering_event;
    const own = body.triggeringEvent.event;
    const stored = await options.events.get(normalizeUuid(own.id));
    return stored ? (JSON.parse(stored.json) as ReceivedEvent) : { ...own, received: own.occurred };
  }

  async function runAction(job: StoredJob): Promise<void> {
    const pending = unreported.get(job.id);
    if (pending) {
      await report(job, pending);
      return;
    }
    const body = JSON.parse(job.body) as ActionJobBody;
    const actionJob: ActionJob = {
      id: job.id,
      automation: body.automation,
      firing: body.firing,
      action: body.action,
      actionIndex: body.actionIndex,
      triggeringEvent: await triggeringEvent(body),
      automationTriggeredEventId: body.automationTriggeredEventId,
      attempt: job.attempts + 1,
    };
    const outcome = await executeSafely(actionJob);
    const base = { action_index: body.actionIndex, action_type: body.action.type, invocation: job.id, attempt: actionJob.attempt };
    if (outcome.status === 'failed' && outcome.retryAfterMs !== null && hasAttemptsLeft(actionJob.attempt, policy)) {
      const waitMs = Math.max(outcome.retryAfterMs, retryDelayMs(actionJob.attempt, policy, random));
      metrics.actionAttempts.inc({ outcome: 'retry' });
      traces.add([
        {
          automationId: job.automationId,
          at: now(),
          kind: 'action-attempt',
          detail: { ...base, status: 'failed', reason: outcome.reason, retry_in_ms: waitMs },
        },
      ]);
      await store.reschedule(job.id, actionJob.attempt, now() + waitMs * 1000, outcome.reason);
      return;
    }
    metrics.actionAttempts.inc({ outcome: outcome.status });
    traces.add([
      {
        automationId: job.automationId,
        at: now(),
        kind: 'action',
        detail: {
          ...base,
          attempts: actionJob.attempt,
          status: outcome.status,
          ...(outcome.status === 'failed' ? { reason: outcome.reason } : {}),
        },
      },
    ]);
    const events = options.buildActionEvents(
      actionJob,
      outcome,
      { triggered: derivedEventId(job.id, 'action.triggered'), outcome: derivedEventId(job.id, 'action.outcome') },
      formatDateTime(now()),
    );
    await report(job, events);
  }

  async function report(job: StoredJob, events: Event[]): Promise<void> {
    const result = await ingest(job.id, events);
    if (result === 'unavailable') {
      unreported.set(job.id, events);
      await store.reschedule(job.id, job.attempts, now() + INGEST_RETRY_MS * 1000, 'storage unavailable');
      return;
    }
    unreported.delete(job.id);
    await completions.add(job.id);
  }

  async function executeSafely(job: ActionJob): Promise<ActionOutcome> {
    try {
      return await options.executor.execute(job);
    } catch (error) {
      // The executor promises values; a throw is a bug, reported as a failure rather than retried forever.
      logger.error({ err: error, jobId: job.id }, 'an action threw');
      return {
        status: 'failed',
        reason: `Internal error: ${(error as Error).message ?? String(error)}`,
        details: {},
        related: [],
        retryAfterMs: null,
      };
    }
  }

  return {
    start() {
      started = true;
      pump();
    },
    notify() {
      pump();
    },
    submit,
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        pump();
      });
    },
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...running.values()]);
      resolveIdle();
    },
  };
}

/**
 * Groups items submitted while a flush runs into the next flush: `add` resolves once its item was
 * flushed, and rejects if that flush failed.
 */
function createGroup<T>(flush: (items: T[]) => Promise<void>): { add(item: T): Promise<void> } {
  let queue: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let flushing = false;
  async function loop(): Promise<void> {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await flush(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    flushing = false;
  }
  return {
    add(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!flushing) void loop();
      });
    },
  };
}
