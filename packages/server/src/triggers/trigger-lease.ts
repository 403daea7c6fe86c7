import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { connectRedis } from '../messaging/redis-connection.js';

export interface TriggerLeaseOptions<T> {
  url: string;
  /** The lease's key (`<prefix>trigger-lease`). */
  key: string;
  /** How long the lease lasts without renewal; it is renewed every third of that. */
  ttlMs: number;
  logger: Logger;
  /** Starts evaluating automations; called each time this replica takes the lease. */
  start(): Promise<T>;
}

export interface TriggerLease<T> {
  /** What `start` returned, while this replica holds the lease; null otherwise. */
  readonly current: T | null;
  /** Stops evaluating and hands the lease back if it is still this replica's (another replica has taken over the work). */
  relinquish(reason: string): Promise<void>;
  /** Stops evaluating (if it was) and hands the lease back, so another replica takes it at once. */
  close(): Promise<void>;
}

/** Extends the lease only if this replica still holds it: 1 if it did, 0 if not. */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * One replica at a time evaluates automations: the one holding a Redis lease (`SET NX PX`, renewed
 * with a check of its token). Every replica tries to take it every third of `ttlMs`, so when the
 * holder dies another takes over within about `ttlMs`, restores the engine state from PostgreSQL
 * and catches up from the shared checkpoint. A holder that cannot renew stops evaluating before its
 * lease can have expired, so two replicas never knowingly evaluate at once.
 *
 * @example
 * const lease = await startTriggerLease({ url, key: 'herald:trigger-lease', ttlMs: 10_000, logger, start: () => startAutomationRuntime(options) });
 * lease.current?.traces;
 */
export async function startTriggerLease<T extends { close(): Promise<void> }>(options: TriggerLeaseOptions<T>): Promise<TriggerLease<T>> {
  const token = randomUUID();
  const log = options.logger.child({ component: 'trigger-lease' });
  const redis = await connectRedis(options.url, log, { maxRetriesPerRequest: 1 });
  const period = Math.max(50, Math.floor(options.ttlMs / 3));
  /** This replica holds the lease, as far as it knows; `current` follows once `start` has finished. */
  let holding = false;
  let current: T | null = null;
  let starting: Promise<void> | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  /** Fires when the lease may soon run out unrenewed: evaluation stops before another replica can take it. */
  let deadline: NodeJS.Timeout | null = null;
  let turn: Promise<void> = Promise.resolve();

  /** Hands the lease back if this replica still holds it; with Redis unreachable, it runs out instead. */
  const release = () => redis.eval(RELEASE, 1, options.key, token).catch(() => undefined);

  /** The lease now runs until `at + ttlMs`. */
  function renewed(at: number): void {
    if (deadline) clearTimeout(deadline);
    // Half a period of margin: a renewal is tried every period, so two have failed by then.
    deadline = setTimeout(() => void stopEvaluating('the trigger lease could not be renewed in time'), at + options.ttlMs - period / 2 - Date.now());
  }

  async function stopEvaluating(reason: string, level: 'info' | 'warn' = 'warn'): Promise<void> {
    holding = false;
    if (deadline) clearTimeout(deadline);
    deadline = null;
    const running = current;
    current = null;
    if (!running) return;
    log[level]({ reason }, 'this replica stops evaluating automations');
    await running.close();
  }

  /** Starts evaluating; renewals go on meanwhile, since a long catch-up may outlast the lease. */
  async function startEvaluating(): Promise<void> {
    try {
      const runtime = await options.start();
      if (holding && !closed) {
        current = runtime;
        log.info({ ttlMs: options.ttlMs }, 'this replica evaluates automations (trigger lease taken)');
      } else {
        await runtime.close();
      }
    } catch (error) {
      log.error({ err: error }, 'could not start evaluating automations; handing the lease back');
      holding = false;
      await release();
    } finally {
      starting = null;
    }
  }

  async function step(): Promise<void> {
    if (holding) {
      // The lease runs from when Redis ran the command, which is after this.
      const sentAt = Date.now();
      try {
        if ((await redis.eval(RENEW, 1, options.key, token, options.ttlMs)) === 1) renewed(sentAt);
        else await stopEvaluating('another replica holds the trigger lease');
      } catch (error) {
        log.warn({ err: error }, 'renewing the trigger lease failed');
      }
      return;
    }
    await tryToTake();
  }

  /** Takes the lease if it is free; resolves with the start it set off, if any (wrapped, since an awaited promise flattens). */
  async function tryToTake(): Promise<{ started: Promise<void> } | null> {
    const sentAt = Date.now();
    try {
      holding = (await redis.set(options.key, token, 'PX', options.ttlMs, 'NX')) === 'OK';
    } catch (error) {
      log.debug({ err: error }, 'taking the trigger lease failed');
    }
    if (!holding || closed) return null;
    renewed(sentAt);
    starting = startEvaluating();
    return { started: starting };
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      turn = step().finally(schedule);
    }, period);
  }

  const firstStart = await tryToTake();
  schedule();
  // A replica that takes the lease at start evaluates before it serves requests.
  await firstStart?.started;

  return {
    get current() {
      return current;
    },
    async relinquish(reason) {
      await stopEvaluating(reason);
      await release();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await turn;
      await starting;
      const held = holding;
      await stopEvaluating('shutting down', 'info');
      if (held) await release();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
