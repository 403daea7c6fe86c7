import { Gauge } from 'prom-client';
import type { HeraldConfig } from '../config/config.js';
import { startAutomationChangeRelay } from '../automations/automation-change-relay.js';
import { AutomationTraces, type AutomationTraceView } from './automation-trace.js';
import { startAutomationRuntime, type AutomationRuntimeOptions } from './automation-runtime.js';
import { startTriggerLease } from './trigger-lease.js';

/** Automation evaluation as the rest of the server sees it, whichever replica runs it. */
export interface Triggers {
  traces: { view(automationId: string): AutomationTraceView };
  /** True while this process evaluates automations (always, without Redis). */
  readonly evaluating: boolean;
  close(): Promise<void>;
}

/**
 * Starts automation evaluation. One process: the runtime, at once. Replicas (`HERALD_REDIS_URL`):
 * automation changes are relayed between replicas, and the runtime runs on whichever replica holds
 * the trigger lease. The other replicas answer trace requests with an empty trace, since the trace
 * lives in the evaluating replica's memory (`docs/scale-out.md`).
 *
 * @example
 * const triggers = await startTriggers(config, runtimeOptions);
 * triggers.traces.view(automationId);
 */
export async function startTriggers(config: Pick<HeraldConfig, 'replicas'>, options: AutomationRuntimeOptions): Promise<Triggers> {
  const triggers = await start(config, options);
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

async function start(config: Pick<HeraldConfig, 'replicas'>, options: AutomationRuntimeOptions): Promise<Triggers> {
  const { redisUrl, redisPrefix, triggerLeaseMs } = config.replicas;
  if (!redisUrl) {
    const runtime = await startAutomationRuntime(options);
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
    const lease = await startTriggerLease({
      url: redisUrl,
      key: `${redisPrefix}trigger-lease`,
      ttlMs: triggerLeaseMs,
      logger: options.logger,
      start: () => startAutomationRuntime({ ...options, automations }),
    });
    const idle = new AutomationTraces();
    return {
      traces: { view: (automationId) => (lease.current?.traces ?? idle).view(automationId) },
      get evaluating() {
        return lease.current !== null;
      },
      async close() {
        await lease.close();
        await relay.close();
      },
    };
  } catch (error) {
    await relay.close();
    throw error;
  }
}
