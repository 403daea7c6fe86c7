import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
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
const READ_BLOCK_MS = 1000;
const RETRY_MS = 500;
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
  const writer = new Redis(options.url, { lazyConnect: true });
  const reader = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null });
  for (const connection of [writer, reader]) connection.on('error', (error: Error) => log.debug({ err: error }, 'redis connection error'));
  await Promise.all([writer.connect(), reader.connect()]);
  const newest = (await reader.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
  let lastId = newest[0]?.[0] ?? '0-0';
  let closed = false;

  const notify = (change: AutomationChange): void => {
    for (const listener of listeners) listener(change);
  };

  const stopLocal = options.local((change) => {
    notify(change);
    writer.xadd(key, 'MAXLEN', '~', KEPT_ENTRIES, '*', 'origin', origin, 'id', change.id, 'kind', change.kind).catch((error: unknown) => {
      log.error({ err: error, automationId: change.id }, 'could not relay an automation change to the other replicas');
    });
  });

  const reading = (async () => {
    while (!closed) {
      try {
        const reply = await reader.xread('BLOCK', READ_BLOCK_MS, 'STREAMS', key, lastId);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            const entry = fieldsOf(fields);
            if (entry.origin !== origin && entry.id && KINDS.has(entry.kind ?? '')) notify({ id: entry.id, kind: entry.kind as AutomationChange['kind'] });
          }
        }
      } catch (error) {
        if (closed) return;
        log.warn({ err: error }, 'reading automation changes from Redis failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  })();

  return {
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      stopLocal();
      reader.disconnect();
      await reading;
      await writer.quit().catch(() => writer.disconnect());
    },
  };
}

function fieldsOf(fields: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}
