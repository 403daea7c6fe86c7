import { newEventId, type Event } from '@herald/core';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/config.js';
import { buildActionTemplateContext, renderJsonTemplate, renderTemplate } from '../domain/templates/index.js';
import { createTriggerEngine, DEFAULT_ENGINE_OPTIONS } from '../domain/triggers/index.js';
import type { IngestService } from '../ingestion/ingest-service.js';
import type { EventBus } from '../messaging/event-bus.js';
import type { HeraldMetrics } from '../observability/metrics.js';
import type { EventStore } from '../storage/ports.js';
import { createActionRunner, type ActionRunner } from './action-runner.js';
import type { ConnectionResolver } from '../connections/connection-service.js';
import type { AutomationControl } from './actions/action-job.js';
import { buildActionEvents, createActionExecutor } from './actions/index.js';
import { AutomationTraces } from './automation-trace.js';
import type { EngineStateStore } from './engine-state-store.js';
import { openPostgresEngineStateStore } from './postgres-engine-state-store.js';
import { openSqliteEngineStateStore } from './sqlite-engine-state-store.js';
import { createTriggerMetrics } from './trigger-metrics.js';
import { createTriggerService, type AutomationSource, type TriggerService } from './trigger-service.js';

export interface AutomationRuntimeOptions {
  config: Pick<HeraldConfig, 'storage' | 'triggers' | 'ingestion'>;
  events: EventStore;
  bus: EventBus;
  ingest: IngestService;
  /** H4's `AutomationService`: the automations to evaluate, their changes, and pause/resume. */
  automations: AutomationSource & AutomationControl;
  /** H4's connection service, which decrypts connection secrets for the actions. */
  connections: ConnectionResolver;
  metrics: HeraldMetrics;
  logger: Logger;
  /** Wall clock, µs. */
  now: () => number;
  /** Request timeout of webhook and notification calls. Default 10,000 ms. */
  httpTimeoutMs?: number;
  /** Called when another consumer has claimed the engine state (a replica that took over): this runtime should close. */
  onFencedOut?: () => void;
}

/** The running automation machinery: consumer, engine, outbox runner and traces. */
export interface AutomationRuntime {
  traces: AutomationTraces;
  service: TriggerService;
  runner: ActionRunner;
  store: EngineStateStore;
  /** Stops the consumer, waits for the running jobs, saves the traces and closes the state store. */
  close(): Promise<void>;
}

/**
 * Opens the engine state store (SQLite `<dataDir>/automation-state.db`, or the PostgreSQL tables of
 * migration 4), restores the engine, catches up from the checkpoint and starts the outbox runner.
 * Call after storage is open and before the server takes events; close before ingest closes, since
 * running jobs still emit events.
 *
 * @example
 * const runtime = await startAutomationRuntime({ config, events: storage.events, bus, ingest, automations, connections, metrics, logger, now });
 * await runtime.close();
 */
export async function startAutomationRuntime(options: AutomationRuntimeOptions): Promise<AutomationRuntime> {
  const { config, logger, now } = options;
  const log = logger.child({ component: 'triggers' });
  const store = config.storage.databaseUrl
    ? openPostgresEngineStateStore({ url: config.storage.databaseUrl, logger: log })
    : await openSqliteEngineStateStore({ dataDir: config.storage.dataDir });
  try {
    const traces = new AutomationTraces(500);
    const metrics = createTriggerMetrics(options.metrics.registry);
    const engine = createTriggerEngine({
      newId: newEventId,
      toleranceMicros: config.triggers.toleranceMicros,
      causalWaitMicros: config.triggers.causalWaitMicros,
      expiredBucketBufferMicros: DEFAULT_ENGINE_OPTIONS.expiredBucketBufferMicros,
    });
    const emit = async (event: Event): Promise<void> => {
      await options.ingest.ingestBatch([event]);
    };
    const executor = createActionExecutor({
      connections: options.connections,
      automations: options.automations,
      emit,
      render: { buildActionTemplateContext, renderTemplate, renderJsonTemplate },
      http: { allowPrivateNetworks: config.triggers.allowPrivateNetworks, timeoutMs: options.httpTimeoutMs ?? 10_000 },
      uiUrl: config.triggers.uiUrl,
      now,
      eventLimits: config.ingestion,
    });
    const runner = createActionRunner({
      store,
      executor,
      buildActionEvents,
      ingest: options.ingest,
      events: options.events,
      traces,
      metrics,
      logger: log,
      policy: config.triggers.retry,
      concurrency: config.triggers.actionConcurrency,
      now,
    });
    const service = createTriggerService({
      engine,
      store,
      events: options.events,
      bus: options.bus,
      automations: options.automations,
      traces,
      metrics,
      logger: log,
      now,
      onJobs: (jobs) => runner.submit(jobs),
      ...(options.onFencedOut ? { onFencedOut: options.onFencedOut } : {}),
    });
    // From here, a consumer that started earlier on the same database can no longer commit.
    await store.claim();
    await service.start();
    runner.start();
    let closing: Promise<void> | null = null;
    return {
      traces,
      service,
      runner,
      store,
      close() {
        closing ??= (async () => {
          // Jobs finishing now still write traces; the service saves them as it closes.
          await runner.close();
          await service.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
