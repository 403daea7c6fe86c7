/** What a newcomer sees when no event matches: how to send a first one. */
export function EmptyState({ filtered, onClear }: { filtered: boolean; onClear: () => void }) {
  const origin = window.location.origin;
  if (filtered) {
    return (
      <div className="state" data-testid="empty-state">
        <h2>No events match these filters</h2>
        <p>Widen the time range, or clear the filters.</p>
        <button type="button" onClick={onClear}>
          Clear filters
        </button>
      </div>
    );
  }
  return (
    <div className="state" data-testid="empty-state">
      <h2>No events yet</h2>
      <p>Send a first event, and it appears here at once (the feed tails live).</p>
      <pre>{`curl -X POST ${origin}/api/events -H 'content-type: application/json' -d '[{
  "id": "'$(uuidgen)'", "occurred": "'$(date -u +%FT%TZ)'",
  "event": "acme.model.refreshed",
  "resource": {"prefect.resource.id": "acme.model.churn"}
}]'`}</pre>
      <p>Or with the TypeScript SDK:</p>
      <pre>{`import { createHeraldClient } from '@herald/sdk';

const herald = createHeraldClient({ url: '${origin}' });
await herald.emitEvent({
  event: 'acme.model.refreshed',
  resource: { 'prefect.resource.id': 'acme.model.churn' },
});`}</pre>
    </div>
  );
}
