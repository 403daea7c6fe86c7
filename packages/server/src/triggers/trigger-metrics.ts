import { Counter, Gauge, type Registry } from 'prom-client';

/** The trigger service's Prometheus metrics, registered on the server's registry. */
export interface TriggerMetrics {
  eventsEvaluated: Counter;
  lagSeconds: Gauge;
  firings: Counter<'state'>;
  actionAttempts: Counter<'outcome'>;
}

const created = new WeakMap<Registry, TriggerMetrics>();

/**
 * Registers the trigger metrics on `registry` (the one of `observability/metrics.ts`), once: a replica
 * that takes the trigger lease again gets the metrics it registered the first time.
 *
 * @example
 * const metrics = createTriggerMetrics(heraldMetrics.registry);
 * metrics.actionAttempts.inc({ outcome: 'executed' });
 */
export function createTriggerMetrics(registry: Registry): TriggerMetrics {
  const existing = created.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: TriggerMetrics = {
    eventsEvaluated: new Counter({
      name: 'herald_trigger_events_evaluated_total',
      help: 'Stored events handed to the trigger engine.',
      registers,
    }),
    lagSeconds: new Gauge({
      name: 'herald_trigger_lag_seconds',
      help: 'Between an event being received and its evaluation being committed, for the latest batch.',
      registers,
    }),
    firings: new Counter({
      name: 'herald_automation_firings_total',
      help: 'Top-level automation firings, by state (Triggered, Resolved).',
      labelNames: ['state'],
      registers,
    }),
    actionAttempts: new Counter({
      name: 'herald_action_attempts_total',
      help: 'Action attempts, by outcome: executed, failed (given up), retry (failed, another attempt follows).',
      labelNames: ['outcome'],
      registers,
    }),
  };
  created.set(registry, metrics);
  return metrics;
}
