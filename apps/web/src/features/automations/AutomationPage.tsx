import { useState } from 'react';
import type { AutomationDraft, JsonValue } from '@herald/sdk/browser';
import { ErrorState } from '../../components/ErrorState.js';
import { Link } from '../../components/Link.js';
import { useAsync } from '../../hooks/use-async.js';
import { useClient } from '../../hooks/use-client.js';
import { navigate } from '../../hooks/use-location.js';
import { automationFromEvent } from '../../lib/automate-prefill.js';
import { AutomationEditor } from './AutomationEditor.js';
import { TraceView } from './TraceView.js';

const EMPTY: AutomationDraft = {
  name: '',
  description: '',
  enabled: true,
  tags: [],
  trigger: { type: 'event', match: {}, match_related: {}, after: [], expect: [], for_each: [], posture: 'Reactive', threshold: 1, within: 0 },
  actions: [{ type: 'do-nothing' }],
};

/** `/automations/new` (optionally `?event=<id>` to pre-fill from an event) and `/automations/:id` (editor and trace). */
export default function AutomationPage({ id, fromEvent }: { id: string | null; fromEvent: string | null }) {
  const { client, apiKey } = useClient();
  const state = useAsync(async (): Promise<AutomationDraft> => {
    if (id) {
      const { id: _id, created: _c, updated: _u, ...rest } = await client.getAutomation(id);
      return { ...rest, trigger: rest.trigger as unknown as Record<string, JsonValue> };
    }
    if (fromEvent) {
      const event = await client.getEvent(fromEvent);
      if (event) return automationFromEvent(event);
    }
    return EMPTY;
  }, `${id ?? 'new'}|${fromEvent ?? ''}|${apiKey ?? ''}`);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const remove = () => {
    if (!id || !window.confirm(`Delete the automation "${state.data?.name ?? id}"? This cannot be undone.`)) return;
    setDeleteError(null);
    client.deleteAutomation(id).then(() => navigate('/automations'), setDeleteError);
  };

  return (
    <div className="page">
      <nav className="breadcrumb">
        <Link href="/automations">Automations</Link> / {id ? (state.data?.name ?? '…') : 'new'}
        {id && state.data && (
          <button type="button" className="small danger" onClick={remove} data-testid="delete-automation">
            Delete
          </button>
        )}
      </nav>
      {deleteError !== null && <ErrorState error={deleteError} />}
      {state.status === 'error' ? (
        <ErrorState error={state.error} onRetry={state.reload} />
      ) : state.status === 'loading' || !state.data ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          {fromEvent && !id && (
            <p className="muted">
              Pre-filled from <Link href={`/events/${fromEvent}`}>this event</Link>: it matches any resource of the same kind, not only the one that emitted it.
            </p>
          )}
          <AutomationEditor key={id ?? 'new'} initial={state.data} {...(id ? { id } : {})} onSaved={(saved) => navigate(`/automations/${saved.id}`)} />
          {id && <TraceView automationId={id} />}
        </>
      )}
    </div>
  );
}
