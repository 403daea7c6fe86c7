/**
 * Durable storage of the trigger service: the engine's opaque state records, the consumer checkpoint
 * (the last event `seq` whose effects are committed) and the outbox of jobs that firings created.
 * Implemented by SQLite (`<dataDir>/automation-state.db`) and PostgreSQL (migration 4), tested by one
 * contract suite (`engine-state-store.contract.ts`).
 */

/** A job's kind: emitting `herald.automation.triggered|resolved`, or running one action. */
export type JobKind = 'state-event' | 'action';

/** A job to insert with a commit. */
export interface NewJob {
  /** Unique id; the ids of the events the job emits are derived from it. */
  id: string;
  kind: JobKind;
  automationId: string;
  /** Wall-clock µs at which the job becomes due. */
  due: number;
  /** The id of a job that must complete before this one may run (an action waits for its state event). */
  dependsOn: string | null;
  /** JSON document the runner interprets. */
  body: string;
}

/** A pending job as read back. */
export interface StoredJob extends NewJob {
  /** Attempts already made (0 before the first). */
  attempts: number;
  lastError: string | null;
}

/** The engine's state record: `value` null deletes the key (H3's `EngineStateRecord`). */
export interface StateRecordChange {
  key: string;
  value: string | null;
}

/** Everything one consumer batch produced, committed atomically. */
export interface EngineCommit {
  state: readonly StateRecordChange[];
  /** The seq of the last event whose evaluation this commit includes; never moves backwards. */
  checkpoint: number;
  newJobs: readonly NewJob[];
  /** Per-automation trace snapshots to save with the commit (null deletes one). */
  traces?: readonly { automationId: string; body: string | null }[];
}

/** What the service restores on start. */
export interface EngineSnapshot {
  records: { key: string; value: string }[];
  checkpoint: number;
  traces: { automationId: string; body: string }[];
}

/**
 * The port. `commit` is one transaction: state, checkpoint and new jobs are all stored or none is.
 *
 * @example
 * const { records, checkpoint } = await store.load();
 * await store.commit({ state: out.state, checkpoint: 42, newJobs: jobs });
 * for (const job of await store.due(now, 16)) { … await store.complete(job.id); }
 */
export interface EngineStateStore {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Makes this store the one consumer that may commit: after it, a commit through a store that claimed
   * earlier fails with {@link FencedOutError}. Call before `load`. (SQLite serves one process: nothing to fence.)
   */
  claim(): Promise<void>;
  load(): Promise<EngineSnapshot>;
  /** Commits atomically; fails with {@link FencedOutError} once another consumer has claimed the state. */
  commit(batch: EngineCommit): Promise<void>;
  /**
   * Pending jobs with `due ≤ now` whose `dependsOn` job no longer exists, oldest first (by due, then
   * insertion order), at most `limit`, skipping the ids in `exclude` (jobs already running). None once
   * another consumer has claimed the state.
   */
  due(now: number, limit: number, exclude?: ReadonlySet<string>): Promise<StoredJob[]>;
  /** The earliest `due` of any pending job, or null when there is none. */
  nextDue(): Promise<number | null>;
  /** Removes a finished job (succeeded, or given up after reporting its failure). */
  complete(id: string): Promise<void>;
  /** Removes finished jobs in one transaction (the runner groups completions: one fsync for many). */
  completeMany(ids: readonly string[]): Promise<void>;
  /** Records a failed attempt and the time of the next one. */
  reschedule(id: string, attempts: number, due: number, lastError: string | null): Promise<void>;
  /** Number of pending jobs (metrics, tests). */
  pendingCount(): Promise<number>;
  /** The saved trace of one automation (the body `commit` stored), or null; what replicas that do not evaluate show. */
  readTrace(automationId: string): Promise<string | null>;
  close(): Promise<void>;
}

/** A commit refused because another consumer (a replica that took the trigger lease since) has claimed the state. */
export class FencedOutError extends Error {
  constructor(fence: number, current: number) {
    super(`Another consumer now evaluates automations (fence ${current}; this one holds ${fence}): nothing was committed`);
    this.name = 'FencedOutError';
  }
}
