import type { AutomationTraceEntry } from '@herald/sdk/browser';
import { ErrorState } from '../../components/ErrorState.js';
import { Link } from '../../components/Link.js';
import { useAsync } from '../../hooks/use-async.js';
import { useClient } from '../../hooks/use-client.js';

/** What a trace entry says, in a few words, with the event it concerns linked. */
function describe(entry: AutomationTraceEntry) {
  const d = entry.detail;
  const eventId = typeof d.event_id === 'string' ? d.event_id : typeof d.event === 'string' ? d.event : null;
  const reason = typeof d.reason === 'string' ? d.reason : typeof d.criterion === 'string' ? d.criterion : null;
  const rest = Object.entries(d).filter(([k]) => !['event_id', 'event', 'reason', 'criterion'].includes(k));
  return (
    <>
      {eventId && (
        <Link href={`/events/${eventId}`} className="mono">
          event {eventId.slice(0, 13)}…
        </Link>
      )}{' '}
      {reason && <strong>{reason}</strong>}{' '}
      <span className="mono small-text muted">{rest.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}</span>
    </>
  );
}

/** "Why did or didn't it fire?": the automation's recent decisions, newest first, with totals per kind. */
export function TraceView({ automationId }: { automationId: string }) {
  const { client, apiKey } = useClient();
  const trace = useAsync(() => client.automationTrace(automationId), `${automationId}|${apiKey ?? ''}`);
  if (trace.status === 'error') return <ErrorState error={trace.error} onRetry={trace.reload} />;
  const data = trace.data;
  return (
    <section className="trace" data-testid="trace-view">
      <h2>
        Why did or didn&apos;t it fire?{' '}
        <button type="button" className="small" onClick={trace.reload}>
          Refresh
        </button>
      </h2>
      {!data ? (
        <p className="muted">Loading…</p>
      ) : data.entries.length === 0 ? (
        <p className="muted">No decision yet: no event has reached this automation since it was saved. Matching events show up here as matched or rejected, with the reason.</p>
      ) : (
        <>
          <p className="chips">
            {Object.entries(data.totals).map(([kind, count]) => (
              <span key={kind} className={`chip kind-${kind}`}>
                {kind} {count}
              </span>
            ))}
          </p>
          <table className="related">
            <thead>
              <tr>
                <th>When</th>
                <th>Decision</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {[...data.entries].reverse().map((entry, i) => (
                <tr key={i} data-kind={entry.kind}>
                  <td title={entry.at}>{new Date(entry.at).toLocaleTimeString()}</td>
                  <td>
                    <span className={`kind kind-${entry.kind}`}>{entry.kind}</span>
                  </td>
                  <td>{describe(entry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
