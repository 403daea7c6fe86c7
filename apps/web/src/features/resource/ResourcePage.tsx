import { useMemo, useState } from 'react';
import { ErrorState } from '../../components/ErrorState.js';
import { EventList } from '../../components/EventList.js';
import { Link } from '../../components/Link.js';
import { useEventPages } from '../../hooks/use-event-pages.js';
import { useNow } from '../../hooks/use-now.js';
import { EMPTY_FEED_FILTERS, formatFeedQuery } from '../../lib/feed-query.js';
import { resourceName } from '../../lib/format.js';

/** `/resources/:id`: every event where the resource is primary or related, newest first. */
export default function ResourcePage({ id }: { id: string }) {
  const now = useNow(15_000);
  // Without `occurred` the server's default window applies: 180 days up to now.
  const filter = useMemo(() => ({ any_resource: { id: [id] }, order: 'DESC' as const }), [id]);
  const pages = useEventPages(filter, `resource:${id}`);
  const [selected, setSelected] = useState(0);
  const latest = pages.events[0];
  const self = latest ? ([latest.resource, ...latest.related].find((r) => r['prefect.resource.id'] === id) ?? null) : null;
  const feedLink = (field: 'resources' | 'related') =>
    `/events${formatFeedQuery({ ...EMPTY_FEED_FILTERS, range: { kind: 'span', seconds: 2_592_000 }, resources: field === 'resources' ? [id] : [], related: field === 'related' ? [id] : [] })}`;

  return (
    <div className="page resource-page">
      <nav className="breadcrumb">
        <Link href="/events">Events</Link> / resource
      </nav>
      <header className="page-header">
        <div>
          <h1>{self ? resourceName(self) : id}</h1>
          <p className="mono muted">{id}</p>
        </div>
        <div className="actions">
          <Link className="button" href={feedLink('resources')}>
            In the feed as primary
          </Link>
          <Link className="button" href={feedLink('related')}>
            In the feed as related
          </Link>
        </div>
      </header>
      <p data-testid="total">{pages.total === null ? '…' : `${pages.total.toLocaleString()} events in the last 180 days, primary or related`}</p>
      {pages.status === 'error' ? (
        <ErrorState error={pages.error} onRetry={pages.reload} />
      ) : pages.status !== 'loading' && pages.events.length === 0 ? (
        <div className="state">
          <h2>No events for this resource</h2>
          <p>Nothing in the last 180 days names it as the primary or a related resource.</p>
        </div>
      ) : (
        <EventList events={pages.events} nowMs={now} selected={selected} hasMore={pages.hasMore} loading={pages.status === 'loading'} onLoadMore={pages.loadMore} onSelect={setSelected} />
      )}
    </div>
  );
}
