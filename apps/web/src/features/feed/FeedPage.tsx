import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorState } from '../../components/ErrorState.js';
import { EventList, type EventListHandle } from '../../components/EventList.js';
import { useAsync } from '../../hooks/use-async.js';
import { useClient } from '../../hooks/use-client.js';
import { useEventPages } from '../../hooks/use-event-pages.js';
import { useLiveTail } from '../../hooks/use-live-tail.js';
import { navigate, useLocation } from '../../hooks/use-location.js';
import { useNow } from '../../hooks/use-now.js';
import { EMPTY_FEED_FILTERS, formatFeedQuery, parseFeedQuery, resolveRange, toEventFilter, withToken, withoutToken, type FeedQuery } from '../../lib/feed-query.js';
import { addLiveEvents } from '../../lib/live-histogram.js';
import { buildNameTree } from '../../lib/name-tree.js';
import { chooseBucket } from '../../lib/time-range.js';
import { FilterBar } from './FilterBar.js';
import { Histogram } from './Histogram.js';
import { NameTree } from './NameTree.js';

const NO_EVENTS: string[] = [];

/** `/events`: filters in the URL, histogram, name tree, the virtualised list and the live tail. */
export default function FeedPage() {
  const { client, apiKey } = useClient();
  const { search } = useLocation();
  const query = useMemo(() => parseFeedQuery(search), [search]);
  const canonical = formatFeedQuery(query);
  // A span ("past 24h") is resolved once per filter change, so every request of one view agrees on "now".
  const anchor = useMemo(() => Date.now(), [canonical]);
  const nowMs = useNow(15_000);
  const bounds = resolveRange(query.range, anchor);
  const filter = useMemo(() => toEventFilter(query, anchor), [canonical, anchor]);
  const filterKey = `${canonical}@${anchor}`;

  const setQuery = useCallback((next: FeedQuery) => navigate(`/events${formatFeedQuery(next)}`), []);
  const pages = useEventPages(filter, filterKey);
  const bucket = chooseBucket(bounds.until - bounds.since);
  const histogram = useAsync(() => client.countBy('time', filter, { timeUnit: bucket.timeUnit, timeInterval: bucket.timeInterval }), `${filterKey}|${apiKey ?? ''}|time`);
  const names = useAsync(() => client.countBy('event', toEventFilter(query, anchor, { withNames: false }), { timeUnit: 'week' }), `${filterKey}|${apiKey ?? ''}|names`);
  const tree = useMemo(() => buildNameTree(names.data ?? []), [names.data]);

  const [paused, setPaused] = useState(false);
  const [selected, setSelected] = useState(0);
  const list = useRef<EventListHandle>(null);
  // Live events occur after the histogram's window closed (at `anchor`), so counting them in never counts one twice.
  const [liveOccurred, setLiveOccurred] = useState<{ key: string; occurred: string[] }>({ key: '', occurred: [] });
  const onLive = useCallback(
    (events: Parameters<typeof pages.prepend>[0]) => {
      setLiveOccurred((l) => ({ key: filterKey, occurred: [...(l.key === filterKey ? l.occurred : []), ...events.map((e) => e.occurred)] }));
      pages.prepend(events);
      list.current?.shiftBy(events.length);
      setSelected((s) => (s > 0 ? s + events.length : s));
    },
    [pages.prepend, filterKey],
  );
  const liveTimes = liveOccurred.key === filterKey ? liveOccurred.occurred : NO_EVENTS;
  const histogramBuckets = useMemo(() => addLiveEvents(histogram.data ?? [], liveTimes), [histogram.data, liveTimes]);
  const histogramUntil = liveTimes.reduce((until, o) => Math.max(until, Date.parse(o) || 0), bounds.until);
  const live = useLiveTail({ filter, filterKey, enabled: query.range.kind === 'span' && pages.status !== 'error', paused, onEvents: onLive });

  useEffect(() => setSelected(0), [filterKey]);
  // The key handler reads the rows and the selection through a ref, not its closure: keys that come
  // before React renders again (a held or fast-repeated key) must each see the previous key's move.
  const keyState = useRef({ events: pages.events, selected });
  keyState.current.events = pages.events;
  useEffect(() => {
    keyState.current.selected = selected;
  }, [selected]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      const state = keyState.current;
      if (event.key === 'j' || event.key === 'k') {
        const next = Math.max(0, Math.min(state.events.length - 1, state.selected + (event.key === 'j' ? 1 : -1)));
        state.selected = next;
        setSelected(next);
        list.current?.scrollToIndex(next);
      } else if (event.key === 'Enter' && state.events[state.selected]) {
        navigate(`/events/${state.events[state.selected]!.id}`);
      } else if (event.key === '/') {
        event.preventDefault();
        document.querySelector<HTMLInputElement>('.search input')?.focus();
      } else if (event.key === 'p' && query.range.kind === 'span') {
        setPaused((p) => !p);
      } else {
        return;
      }
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [query.range.kind]);

  const filtered = query.names.length + query.resources.length + query.related.length + query.follows.length > 0 || query.text !== '';
  const clear = () => setQuery({ ...query, ...EMPTY_FEED_FILTERS });
  const firstError = pages.status === 'error' ? pages.error : histogram.status === 'error' ? histogram.error : null;

  return (
    <div className="feed">
      <aside className="sidebar">
        <h3>Event names</h3>
        <NameTree nodes={tree} selected={query.names} onToggle={(token) => setQuery(query.names.includes(token) ? withoutToken(query, 'names', token) : withToken(query, 'names', token))} />
      </aside>
      <section className="feed-main">
        <FilterBar query={query} nowMs={anchor} onChange={setQuery} />
        <Histogram
          buckets={histogramBuckets}
          since={bounds.since}
          until={histogramUntil}
          onZoom={(since, until) => setQuery({ ...query, range: { kind: 'range', since: new Date(since).toISOString(), until: new Date(until).toISOString() } })}
        />
        <div className="list-header">
          <span data-testid="total">{pages.total === null ? '…' : `${pages.total.toLocaleString()} events`}</span>
          {query.range.kind === 'span' ? (
            <span className="live">
              <span className={`dot ${live.status}`} data-testid="live-status">
                {paused ? 'paused' : live.status}
              </span>
              {live.pending.length > 0 && (
                <button type="button" className="pill" onClick={() => setPaused(false)} data-testid="new-events">
                  {live.pending.length} new
                </button>
              )}
              <button type="button" onClick={() => setPaused(!paused)} data-testid="pause">
                {paused ? 'Resume' : 'Pause'}
              </button>
            </span>
          ) : (
            <span className="muted">Fixed range: live tail off</span>
          )}
          <span className="muted small-text">j/k move · enter opens · / search · p pause</span>
        </div>
        {firstError ? (
          <ErrorState error={firstError} onRetry={pages.reload} />
        ) : pages.status !== 'loading' && pages.events.length === 0 ? (
          <EmptyState filtered={filtered || query.range.kind === 'range'} onClear={clear} />
        ) : (
          <EventList
            handle={list}
            events={pages.events}
            nowMs={nowMs}
            selected={selected}
            hasMore={pages.hasMore}
            loading={pages.status === 'loading'}
            onLoadMore={pages.loadMore}
            onSelect={setSelected}
            onLabel={(field, token) => setQuery(withToken(query, field, token))}
          />
        )}
      </section>
    </div>
  );
}
