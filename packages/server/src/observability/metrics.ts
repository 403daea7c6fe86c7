import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Herald's Prometheus metrics. One registry per server instance, so tests can run several servers. */
export interface HeraldMetrics {
  registry: Registry;
  eventsIngested: Counter;
  eventsRejected: Counter<'reason'>;
  eventsDuplicate: Counter;
  idConflicts: Counter;
  ingestLatency: Histogram<'route'>;
  groupCommitSize: Histogram;
  websocketConnections: Gauge<'route'>;
  subscriberDrops: Counter;
  storageBytes: Gauge;
}

/**
 * Creates the registry and every metric. `storageBytes` reads the store on each scrape.
 *
 * @example
 * const metrics = createMetrics(() => store.sizeBytes());
 * reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 */
export function createMetrics(readStorageBytes: () => Promise<number>): HeraldMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    eventsIngested: new Counter({ name: 'herald_events_ingested_total', help: 'Events durably stored.', registers }),
    eventsRejected: new Counter({ name: 'herald_events_rejected_total', help: 'Events refused, by reason.', labelNames: ['reason'], registers }),
    eventsDuplicate: new Counter({ name: 'herald_events_duplicates_total', help: 'Resent events whose id was already stored with the same content.', registers }),
    idConflicts: new Counter({ name: 'herald_events_id_conflicts_total', help: 'Resent events whose id was already stored with different content (the first write wins).', registers }),
    ingestLatency: new Histogram({
      name: 'herald_ingest_latency_seconds',
      help: 'From receiving events to acknowledging them after commit.',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    groupCommitSize: new Histogram({
      name: 'herald_group_commit_events',
      help: 'Events written per storage transaction.',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
    websocketConnections: new Gauge({ name: 'herald_websocket_connections', help: 'Open websocket connections, by route.', labelNames: ['route'], registers }),
    subscriberDrops: new Counter({ name: 'herald_stream_dropped_events_total', help: 'Live events not delivered to slow subscribers.', registers }),
    storageBytes: new Gauge({
      name: 'herald_storage_bytes',
      help: 'Bytes used by stored events.',
      registers,
      async collect() {
        this.set(await readStorageBytes());
      },
    }),
  };
}
