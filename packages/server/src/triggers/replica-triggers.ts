import { Gauge } from 'prom-client';
import type { HeraldConfig } from '../config/config.js';
import { startAutomationChangeRelay } from '../automations/automation-change-relay.js';
import { AutomationTraces, type AutomationTraceView } from './automation-trace.js';
import { startAutomationRuntime, type AutomationRuntime, type AutomationRuntimeOptions } from './automation-runtime.js';
import type { EngineStateStore } from './engine-state-store.js';
import { openPostgresEngineStateStore } from './postgres-engine-state-store.js';
import { startTriggerLease, type TriggerLease } from './trigger-lease.js';

/** Automation evaluation as the rest of the server sees it, whichever replica runs it. */
export interface Triggers {
  traces: { view(automationId: string): AutomationTraceView | Promise<AutomationTraceView> };
  /** True while this process evaluates automations (always, without Redis). */
  readonly evaluating: boolean;
  close(): Promise<void>;
}

/** The runtime's options; its configuration also holds the replica settings. */
export type TriggersOptions = AutomationRuntimeOptions & { config: AutomationRuntimeOptions['config'] & Pick<HeraldConfig, 'replicas'> };

/**
 * Starts automation evaluation. One process: the runtime, at once. Replicas (`HERALD_REDIS_URL`):
 * automation changes are relayed between replicas, and the runtime runs on whichever replica holds
 * the trigger lease. The other replicas answer trace requests with the trace the evaluator last saved
 * (every 2 s), read from PostgreSQL (`docs/scale-out.md`).
 *
 * @example
 * const triggers = await startTriggers({ config, events, bus, ingest, automations, connections, metrics, logger, now });
 * triggers.traces.view(automationId);
 */
export async function startTriggers(options: TriggersOptions): Promise<Triggers> {
  const triggers = await start(options);
  new Gauge({
    name: 'herald_automations_evaluating',
    help: 'Whether this process evaluates automations: always 1 alone; with replicas, 1 on the one holding the trigger lease.',
    registers: [options.metrics.registry],
    collect() {
      this.set(triggers.evaluating ? 1 : 0);
    },
  });
  return triggers;
}

async function start(options: TriggersOptions): Promise<Triggers> {
  const { redisUrl, redisPrefix, triggerLeaseMs } = options.config.replicas;
  const databaseUrl = options.config.storage.databaseUrl;
  if (!redisUrl || !databaseUrl) {
    const runtime = await startAutomationRuntime({
      ...options,
      onFencedOut: () =>
        options.logger.error(
          'another Herald process started evaluating automations on this database, so this one stopped; run several processes on one database as replicas, with HERALD_REDIS_URL',
        ),
    });
    return { traces: runtime.traces, evaluating: true, close: () => runtime.close() };
  }
  const relay = await startAutomationChangeRelay({
    url: redisUrl,
    prefix: redisPrefix,
    local: (listener) => options.automations.onChange(listener),
    logger: options.logger,
  });
  try {
    const automations = { ...options.automations, onChange: (listener: Parameters<typeof relay.onChange>[0]) => relay.onChange(listener) };
    // Filled once the lease has started; a runtime fenced out before then has no lease to give up yet.
    const started: { lease?: TriggerLease<AutomationRuntime> } = {};
    const lease = await startTriggerLease({
      url: redisUrl,
      key: `${redisPrefix}trigger-lease`,
      ttlMs: triggerLeaseMs,
      logger: options.logger,
      start: () =>
        startAutomationRuntime({
          ...options,
          automations,
          // A replica that took the lease while this one was paused has claimed the state.
          onFencedOut: () => void started.lease?.relinquish('another replica claimed the trigger engine state'),
        }),
    });
    started.lease = lease;
    const saved = openPostgresEngineStateStore({ url: databaseUrl, logger: options.logger });
    return {
      traces: { view: (automationId) => lease.current?.traces.view(automationId) ?? savedView(saved, automationId) },
      get evaluating() {
        return lease.current !== null;
      },
      async close() {
        await lease.close();
        await relay.close();
        await saved.close();
      },
    };
  } catch (error) {
    await relay.close();
    throw error;
  }
}

/** The trace the evaluating replica last saved, as its own `view` would show it. */
async function savedView(store: EngineStateStore, automationId: string): Promise<AutomationTraceView> {
  const body = await store.readTrace(automationId);
  const traces = new AutomationTraces();
  if (body !== null) traces.restore([{ automationId, body }]);
  return traces.view(automationId);
}
