import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { connectRedis, disconnectAndThrow } from '../messaging/redis-connection.js';
import { entryFields, followStream } from '../messaging/redis-stream-follower.js';
import type { AutomationChange } from './automation-service.js';

export interface AutomationChangeRelayOptions {
  url: string;
  /** Prefix of the stream's key (`<prefix>automation-changes`). */
  prefix: string;
  /** This replica's automation changes (the service's `onChange`). */
  local: (listener: (change: AutomationChange) => void) => () => void;
  logger: Logger;
}

export interface AutomationChangeRelay {
  /** Local changes and those of every other replica, each once. */
  onChange(listener: (change: AutomationChange) => void): () => void;
  close(): Promise<void>;
}

const KEPT_ENTRIES = 10_000;
const KINDS = new Set<string>(['created', 'updated', 'deleted']);

/**
 * Carries automation changes between replicas on a Redis stream, so that the replica evaluating
 * automations hears of one created, edited, paused or deleted through any other. A stream rather than
 * pub/sub: after a dropped connection the reader resumes after the last entry it saw, so no change is
 * missed. Listeners get a change once: their replica's at once, the others' as they arrive.
 *
 * @example
 * const relay = await startAutomationChangeRelay({ url, prefix: 'herald:', local: (l) => automations.onChange(l), logger });
 * relay.onChange(({ id, kind }) => console.log(id, kind));
 */
export async function startAutomationChangeRelay(options: AutomationChangeRelayOptions): Promise<AutomationChangeRelay> {
  const key = `${options.prefix}automation-changes`;
  const origin = randomUUID();
  const log = options.logger.child({ component: 'automation-change-relay' });
  const listeners = new Set<(change: AutomationChange) => void>();
  const writer = await connectRedis(options.url, log);

  const notify = (change: AutomationChange): void => {
    for (const listener of listeners) listener(change);
  };
  const follower = await followStream({
    url: options.url,
    key,
    logger: log,
    what: 'automation changes',
    onEntry(_id, fields) {
      const entry = entryFields(fields);
      if (entry.origin !== origin && entry.id && KINDS.has(entry.kind ?? '')) notify({ id: entry.id, kind: entry.kind as AutomationChange['kind'] });
    },
  }).catch((error: unknown) => disconnectAndThrow(error, writer));
  const stopLocal = options.local((change) => {
    notify(change);
    writer.xadd(key, 'MAXLEN', '~', KEPT_ENTRIES, '*', 'origin', origin, 'id', change.id, 'kind', change.kind).catch((error: unknown) => {
      log.error({ err: error, automationId: change.id }, 'could not relay an automation change to the other replicas');
    });
  });

  return {
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      stopLocal();
      await follower.stop();
      // No QUIT: with Redis down it would wait for a reconnection. A change whose XADD is cut short
      // reaches the evaluator when a replica next takes the lease, since that loads every automation.
      writer.disconnect();
    },
  };
}
