import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventFilterInput, EventPage, ReceivedEvent } from '@herald/sdk/browser';
import { useClient } from './use-client.js';

export interface EventPages {
  events: ReceivedEvent[];
  total: number | null;
  status: 'loading' | 'idle' | 'error';
  error: unknown;
  hasMore: boolean;
  /** Fetches the next page (keyset, by page token); a no-op while one is loading or at the end. */
  loadMore: () => void;
  /** Puts live events on top (newest first), skipping ids already listed. */
  prepend: (events: ReceivedEvent[]) => void;
  reload: () => void;
}

const PAGE_SIZE = 200;

/**
 * The feed's list: the first page for `filter`, then further pages on demand via `next_page` tokens.
 * A new `filterKey` starts over; answers for an older filter are dropped.
 *
 * @example
 * const pages = useEventPages(filter, JSON.stringify(filter));
 */
export function useEventPages(filter: EventFilterInput, filterKey: string): EventPages {
  const { client } = useClient();
  const [events, setEvents] = useState<ReceivedEvent[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [status, setStatus] = useState<'loading' | 'idle' | 'error'>('loading');
  const [error, setError] = useState<unknown>(null);
  const [nonce, setNonce] = useState(0);
  const next = useRef<string | null>(null);
  const generation = useRef(0);
  const busy = useRef(false);
  const ids = useRef(new Set<string>());

  const accept = useCallback((gen: number, page: EventPage, reset: boolean) => {
    if (gen !== generation.current) return;
    next.current = page.next_page;
    if (page.total !== null) setTotal(page.total);
    if (reset) ids.current = new Set();
    const fresh = page.events.filter((e) => !ids.current.has(e.id));
    for (const e of fresh) ids.current.add(e.id);
    setEvents((previous) => (reset ? fresh : [...previous, ...fresh]));
    setStatus('idle');
    busy.current = false;
  }, []);

  const fail = useCallback((gen: number, err: unknown) => {
    if (gen !== generation.current) return;
    setError(err);
    setStatus('error');
    busy.current = false;
  }, []);

  useEffect(() => {
    const gen = ++generation.current;
    busy.current = true;
    next.current = null;
    setStatus('loading');
    setError(null);
    setTotal(null);
    client.queryPage(filter, { limit: PAGE_SIZE, count: false }).then(
      (page) => accept(gen, page, true),
      (err: unknown) => fail(gen, err),
    );
    // Counting every match can take much longer than one page (a related resource or free text over
    // a million events), so the total is asked for apart and the list never waits for it.
    client.queryPage(filter, { limit: 0 }).then(
      (page) => {
        if (gen === generation.current) setTotal(page.total);
      },
      () => undefined,
    );
    // The filter object is described by filterKey.
  }, [client, filterKey, nonce, accept, fail]);

  const loadMore = useCallback(() => {
    const link = next.current;
    if (busy.current || !link) return;
    busy.current = true;
    const gen = generation.current;
    setStatus('loading');
    client.nextPage(link).then(
      (page) => accept(gen, page, false),
      (err: unknown) => fail(gen, err),
    );
  }, [client, accept, fail]);

  const prepend = useCallback((live: ReceivedEvent[]) => {
    const fresh = live.filter((e) => !ids.current.has(e.id));
    if (fresh.length === 0) return;
    for (const e of fresh) ids.current.add(e.id);
    setEvents((previous) => [...fresh.reverse(), ...previous]);
    setTotal((t) => (t === null ? t : t + fresh.length));
  }, []);

  return { events, total, status, error, hasMore: next.current !== null, loadMore, prepend, reload: () => setNonce((n) => n + 1) };
}
