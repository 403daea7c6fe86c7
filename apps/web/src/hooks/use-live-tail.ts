import { useEffect, useRef, useState } from 'react';
import type { EventFilterInput, ReceivedEvent } from '@herald/sdk/browser';
import { useClient } from './use-client.js';

export interface LiveTail {
  status: 'off' | 'connecting' | 'live' | 'error';
  /** Events received while paused, oldest first. */
  pending: ReceivedEvent[];
  error: unknown;
}

/**
 * Streams new events matching `filter` over `/api/events/out` (no backfill: the list already holds
 * the past). While `paused`, events queue up in `pending`; `onEvents` gets them all on resume.
 * Disabled (`enabled: false`) for fixed ranges in the past.
 *
 * @example
 * const tail = useLiveTail({ filter, filterKey, enabled: true, paused, onEvents: pages.prepend });
 */
export function useLiveTail(options: {
  filter: EventFilterInput;
  filterKey: string;
  enabled: boolean;
  paused: boolean;
  onEvents: (events: ReceivedEvent[]) => void;
}): LiveTail {
  const { client } = useClient();
  const [status, setStatus] = useState<LiveTail['status']>('off');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState<ReceivedEvent[]>([]);
  // The queue lives in a ref (the socket callback appends to it); the state mirrors it for rendering.
  const queue = useRef<ReceivedEvent[]>([]);
  const paused = useRef(options.paused);
  const onEvents = useRef(options.onEvents);
  onEvents.current = options.onEvents;

  useEffect(() => {
    paused.current = options.paused;
    if (!options.paused && queue.current.length > 0) {
      const queued = queue.current;
      queue.current = [];
      setPending([]);
      onEvents.current(queued);
    }
  }, [options.paused]);

  useEffect(() => {
    queue.current = [];
    setPending([]);
    if (!options.enabled) {
      setStatus('off');
      return;
    }
    // The live stream has no window: `occurred` bounds would end it.
    const { occurred: _occurred, order: _order, ...live } = options.filter;
    const subscription = client.subscribe(
      live,
      {
        onEvent: (event) => {
          if (paused.current) {
            queue.current = [...queue.current, event];
            setPending(queue.current);
          } else {
            onEvents.current([event]);
          }
        },
        onStatus: (s) => s !== 'closed' && setStatus(s),
        onError: (err) => {
          setError(err);
          setStatus('error');
        },
      },
      { backfill: false },
    );
    return () => subscription.close();
  }, [client, options.filterKey, options.enabled]);

  return { status, pending, error };
}
