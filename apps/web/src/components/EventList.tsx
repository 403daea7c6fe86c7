import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import type { ReceivedEvent } from '@herald/sdk/browser';
import { computeWindow } from '../lib/virtual-window.js';
import { EventRow, ROW_HEIGHT } from './EventRow.js';

export interface EventListHandle {
  /** Scrolls just enough to show row `index`. */
  scrollToIndex: (index: number) => void;
  /** Keeps the rows on screen in place after `count` rows were added on top. */
  shiftBy: (count: number) => void;
}

export interface EventListProps {
  events: ReceivedEvent[];
  nowMs: number;
  selected: number;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  onSelect: (index: number) => void;
  onLabel?: (field: 'resources' | 'related', token: string) => void;
  handle?: Ref<EventListHandle>;
}

/**
 * A virtualised list of events: only the rows on screen (plus an overscan) are in the DOM, so
 * 10,000 rows scroll like 100. Scrolling near the end asks for the next page.
 */
export function EventList({ events, nowMs, selected, hasMore, loading, onLoadMore, onSelect, onLabel, handle }: EventListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    setHeight(element.clientHeight || 600);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight || 600));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useImperativeHandle(handle, () => ({
    scrollToIndex(index) {
      const element = box.current;
      if (!element) return;
      const top = index * ROW_HEIGHT;
      if (top < element.scrollTop) element.scrollTop = top;
      else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
    },
    shiftBy(count) {
      const element = box.current;
      if (element && element.scrollTop > 0) element.scrollTop += count * ROW_HEIGHT;
    },
  }));

  const win = computeWindow({ count: events.length, rowHeight: ROW_HEIGHT, scrollTop, viewportHeight: height, overscan: 8 });
  useEffect(() => {
    if (hasMore && !loading && win.end >= events.length - 30) onLoadMore();
  }, [hasMore, loading, win.end, events.length, onLoadMore]);

  return (
    <div className="event-list" ref={box} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="event-list" role="list">
      <div style={{ height: win.totalHeight + (hasMore || loading ? ROW_HEIGHT : 0), position: 'relative' }}>
        <div style={{ transform: `translateY(${win.offsetTop}px)` }}>
          {events.slice(win.start, win.end).map((event, i) => (
            <EventRow
              key={event.id}
              event={event}
              nowMs={nowMs}
              selected={win.start + i === selected}
              onSelect={() => onSelect(win.start + i)}
              {...(onLabel ? { onLabel } : {})}
            />
          ))}
        </div>
        {(hasMore || loading) && (
          <div className="list-footer muted" style={{ position: 'absolute', top: win.totalHeight, height: ROW_HEIGHT }}>
            {loading ? 'Loading…' : 'Scroll for more'}
          </div>
        )}
      </div>
    </div>
  );
}
