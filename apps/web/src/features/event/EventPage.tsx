import { useState } from 'react';
import type { BrowserClient, ReceivedEvent } from '@herald/sdk/browser';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorState } from '../../components/ErrorState.js';
import { JsonTree } from '../../components/JsonTree.js';
import { Link } from '../../components/Link.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { ResourceLink } from '../../components/ResourceLink.js';
import { useAsync } from '../../hooks/use-async.js';
import { useClient } from '../../hooks/use-client.js';
import { useNow } from '../../hooks/use-now.js';
import { displayLabels, humanizeEventName } from '../../lib/format.js';
import { EMPTY_FEED_FILTERS, formatFeedQuery } from '../../lib/feed-query.js';

interface Chain {
  leader: ReceivedEvent | null;
  /** The newest followers, at most {@link MAX_FOLLOWERS}. */
  followers: ReceivedEvent[];
  /** How many events follow this one in all. */
  total: number;
  /** The feed showing every follower, when there are more than the page lists. */
  feedHref: string | null;
}

const MAX_FOLLOWERS = 50;
/** Every time an event can have: a follower may be stamped before its leader, or long after it. */
const ALL_TIME = { since: '0001-01-01T00:00:00Z', until: '9999-12-31T23:59:59.999999Z' };

/**
 * The leader this event follows, and the events that name it in `follows`: exact, through Herald's
 * `follows` filter clause (an index on both stores), newest first. With more than the page shows, the
 * oldest follower is read too, so that the feed link's time range holds every one of them.
 */
async function loadChain(client: BrowserClient, event: ReceivedEvent): Promise<Chain> {
  const follows = { id: [event.id] };
  const [leader, page] = await Promise.all([
    event.follows ? client.getEvent(event.follows) : Promise.resolve(null),
    client.queryPage({ follows, occurred: ALL_TIME, order: 'DESC' }, { limit: MAX_FOLLOWERS }),
  ]);
  const total = page.total ?? page.events.length;
  let feedHref: string | null = null;
  const newest = page.events[0];
  if (newest && total > page.events.length) {
    const oldest = (await client.queryPage({ follows, occurred: ALL_TIME, order: 'ASC' }, { limit: 1, count: false })).events[0] ?? newest;
    // The feed's range is in milliseconds and inclusive: one more keeps a follower at the newest
    // millisecond's microseconds inside it.
    const range = { kind: 'range' as const, since: new Date(Date.parse(oldest.occurred)).toISOString(), until: new Date(Date.parse(newest.occurred) + 1).toISOString() };
    feedHref = `/events${formatFeedQuery({ ...EMPTY_FEED_FILTERS, range, follows: [event.id] })}`;
  }
  return { leader, followers: page.events, total, feedHref };
}

/** `/events/:id`: details, resources, payload tree, raw JSON and the causal chain. */
export default function EventPage({ id }: { id: string }) {
  const { client, apiKey } = useClient();
  const now = useNow(15_000);
  const state = useAsync(() => client.getEvent(id), `${id}|${apiKey ?? ''}`);
  const event = state.data;
  const chain = useAsync(
    (): Promise<Chain> => (event ? loadChain(client, event) : Promise.resolve({ leader: null, followers: [], total: 0, feedHref: null })),
    `${event?.id ?? 'none'}|${apiKey ?? ''}`,
  );
  const [tab, setTab] = useState<'details' | 'raw'>('details');

  if (state.status === 'error') return <ErrorState error={state.error} onRetry={state.reload} />;
  if (state.status === 'loading' && !event) return <p className="muted page">Loading…</p>;
  if (!event) {
    return (
      <div className="state page" data-testid="not-found">
        <h2>Event not found</h2>
        <p className="mono">{id}</p>
        <Link href="/events">Back to the feed</Link>
      </div>
    );
  }
  const raw = JSON.stringify(event, null, 2);
  const resourceId = event.resource['prefect.resource.id'] ?? '';
  const occurred = Date.parse(event.occurred);
  const around = formatFeedQuery({
    ...EMPTY_FEED_FILTERS,
    range: { kind: 'range', since: new Date(occurred - 300_000).toISOString(), until: new Date(occurred + 300_000).toISOString() },
  });

  return (
    <article className="page event-page">
      <nav className="breadcrumb">
        <Link href="/events">Events</Link> / {humanizeEventName(event.event)}
      </nav>
      <header className="page-header">
        <div>
          <h1>{humanizeEventName(event.event)}</h1>
          <p className="mono muted">{event.event}</p>
        </div>
        <div className="actions">
          <Link className="button primary" href={`/automations/new?event=${event.id}`} data-testid="automate">
            Automate
          </Link>
          <CopyButton text={event.id} label="Copy id" />
          <Link className="button" href={`/events${formatFeedQuery({ ...EMPTY_FEED_FILTERS, range: { kind: 'span', seconds: 86_400 }, names: [event.event] })}`}>
            Events named like this
          </Link>
          <Link className="button" href={`/events${around}`}>
            ±5 min around
          </Link>
        </div>
      </header>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'details'} onClick={() => setTab('details')}>
          Details
        </button>
        <button type="button" role="tab" aria-selected={tab === 'raw'} onClick={() => setTab('raw')}>
          Raw JSON
        </button>
      </div>
      {tab === 'raw' ? (
        <section>
          <CopyButton text={raw} label="Copy JSON" />
          <pre className="raw" data-testid="raw-json">
            {raw}
          </pre>
        </section>
      ) : (
        <>
          <dl className="details">
            <dt>Occurred</dt>
            <dd>
              <RelativeTime iso={event.occurred} nowMs={now} /> <span className="muted">{event.occurred}</span>
            </dd>
            <dt>Received</dt>
            <dd>
              {event.received} <span className="muted">({Date.parse(event.received) - occurred} ms after it occurred)</span>
            </dd>
            <dt>Id</dt>
            <dd className="mono">{event.id}</dd>
            <dt>Resource</dt>
            <dd>
              <ResourceLink resource={event.resource} />
              <div className="event-labels">
                {displayLabels(event.resource).map(([k, v]) => (
                  <span className="label-chip" key={k}>
                    {k}={v}
                  </span>
                ))}
              </div>
            </dd>
          </dl>
          <section data-testid="causal-chain">
            <h2>Causal chain</h2>
            <p>
              Follows:{' '}
              {event.follows ? (
                <Link href={`/events/${event.follows}`} data-testid="follows-link">
                  {chain.data?.leader ? humanizeEventName(chain.data.leader.event) : event.follows}
                </Link>
              ) : (
                <span className="muted">nothing (this event starts its chain)</span>
              )}
            </p>
            <div>
              Followed by:{' '}
              {chain.status === 'loading' ? (
                <span className="muted">looking…</span>
              ) : chain.data && chain.data.followers.length > 0 ? (
                <>
                  <span className="muted" data-testid="followers-count">
                    {chain.data.total === 1 ? '1 event' : `${chain.data.total.toLocaleString()} events`}, newest first
                  </span>
                  <ul data-testid="followers">
                    {chain.data.followers.map((f) => (
                      <li key={f.id}>
                        <Link href={`/events/${f.id}`}>{humanizeEventName(f.event)}</Link> <span className="muted mono">{f.event}</span>{' '}
                        <RelativeTime iso={f.occurred} nowMs={now} />
                      </li>
                    ))}
                  </ul>
                  {chain.data.feedHref && (
                    <Link href={chain.data.feedHref} data-testid="followers-more">
                      and {(chain.data.total - chain.data.followers.length).toLocaleString()} more…
                    </Link>
                  )}
                </>
              ) : chain.status === 'error' ? (
                <span className="muted">could not be loaded</span>
              ) : (
                <span className="muted">no event names this one as the event it follows</span>
              )}
            </div>
          </section>
          <section>
            <h2>Related resources ({event.related.length})</h2>
            {event.related.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <table className="related">
                <thead>
                  <tr>
                    <th>Role</th>
                    <th>Resource</th>
                    <th>Labels</th>
                  </tr>
                </thead>
                <tbody>
                  {event.related.map((r, i) => (
                    <tr key={`${r['prefect.resource.id'] ?? ''}-${i}`}>
                      <td>{r['prefect.resource.role']}</td>
                      <td>
                        <ResourceLink resource={{ ...r, 'prefect.resource.role': '' }} />
                      </td>
                      <td className="mono small-text">
                        {displayLabels(r)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(' ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section>
            <h2>
              Payload <CopyButton text={JSON.stringify(event.payload, null, 2)} label="Copy payload" />
            </h2>
            <div className="json" data-testid="payload">
              <JsonTree value={event.payload} />
            </div>
          </section>
          <p>
            <Link href={`/resources/${encodeURIComponent(resourceId)}`}>Timeline of {resourceId}</Link>
          </p>
        </>
      )}
    </article>
  );
}
