import type { ReceivedEvent } from '@herald/sdk/browser';
import { displayLabels, humanizeEventName } from '../lib/format.js';
import { Link } from './Link.js';
import { RelativeTime } from './RelativeTime.js';
import { ResourceLink } from './ResourceLink.js';

/** Every row has the same height, which keeps virtualisation exact. */
export const ROW_HEIGHT = 84;

export interface EventRowProps {
  event: ReceivedEvent;
  nowMs: number;
  selected: boolean;
  onSelect: () => void;
  /** Clicking a label chip adds it as a filter; without this, chips are plain. */
  onLabel?: (field: 'resources' | 'related', token: string) => void;
}

/** One event: time, readable and raw name, resource and related resources as links, label chips. */
export function EventRow({ event, nowMs, selected, onSelect, onLabel }: EventRowProps) {
  const chips = [
    ...displayLabels(event.resource).map(([k, v]) => ({ field: 'resources' as const, key: k, value: v })),
    ...event.related.flatMap((r) => displayLabels(r).map(([k, v]) => ({ field: 'related' as const, key: k, value: v }))),
  ].slice(0, 8);
  return (
    <div className={`event-row${selected ? ' selected' : ''}`} style={{ height: ROW_HEIGHT }} onClick={onSelect} role="listitem" aria-selected={selected} data-event-id={event.id}>
      <div className="event-time">
        <RelativeTime iso={event.occurred} nowMs={nowMs} />
        <span className="muted small-text">{new Date(event.occurred).toLocaleTimeString()}</span>
      </div>
      <div className="event-body">
        <div className="event-title">
          <Link href={`/events/${event.id}`} className="event-name">
            {humanizeEventName(event.event)}
          </Link>
          <span className="mono muted raw-name">{event.event}</span>
        </div>
        <div className="event-resources">
          <ResourceLink resource={event.resource} />
          {event.related.slice(0, 3).map((r, i) => (
            <ResourceLink key={`${r['prefect.resource.id'] ?? ''}-${i}`} resource={r} />
          ))}
          {event.related.length > 3 && <span className="muted">+{event.related.length - 3} related</span>}
        </div>
        <div className="event-labels">
          {chips.map((chip, i) =>
            onLabel ? (
              <button
                type="button"
                key={`${chip.field}-${chip.key}-${i}`}
                className="label-chip"
                title={`Filter: ${chip.field === 'resources' ? 'resource' : 'related'} ${chip.key}=${chip.value}`}
                onClick={(e) => {
                  e.stopPropagation();
                  onLabel(chip.field, `${chip.key}=${chip.value}`);
                }}
              >
                {chip.key}={chip.value}
              </button>
            ) : (
              <span key={`${chip.field}-${chip.key}-${i}`} className="label-chip">
                {chip.key}={chip.value}
              </span>
            ),
          )}
        </div>
      </div>
    </div>
  );
}
