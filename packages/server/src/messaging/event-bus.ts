/** A committed event on the bus: its log position and canonical JSON (parsed lazily by consumers). */
export interface BusEvent {
  seq: number;
  json: string;
}

/**
 * Carries committed events to live consumers (streams, triggers). Publishing happens only after the
 * store has committed; the store stays the log that consumers catch up from.
 */
export interface EventBus {
  publish(events: BusEvent[]): void;
  /** Subscribes a handler; returns the function that unsubscribes it. */
  subscribe(handler: (events: BusEvent[]) => void): () => void;
  /**
   * The last seq handed to subscribers, when the bus knows it better than the store's last seq does:
   * with replicas, events another replica committed may still be on their way.
   */
  deliveredSeq?(): number;
}

/**
 * The single-process bus: handlers run synchronously in publish order.
 *
 * @example
 * const bus = createInMemoryEventBus();
 * const stop = bus.subscribe((events) => console.log(events.length));
 */
export function createInMemoryEventBus(): EventBus {
  const handlers = new Set<(events: BusEvent[]) => void>();
  return {
    publish(events) {
      for (const handler of handlers) handler(events);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
