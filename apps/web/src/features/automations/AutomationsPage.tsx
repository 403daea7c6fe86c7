import { useState } from 'react';
import type { Automation } from '@herald/sdk/browser';
import { ErrorState } from '../../components/ErrorState.js';
import { Link } from '../../components/Link.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { useAsync } from '../../hooks/use-async.js';
import { useClient } from '../../hooks/use-client.js';
import { useNow } from '../../hooks/use-now.js';
import { LAST_FIRING_LOOKBACK_DAYS, lastFiringByAutomation, lastFiringsFilter } from '../../lib/last-firings.js';

interface Row {
  automation: Automation;
  lastFired: string | null;
}

function summary(automation: Automation): string {
  const t = automation.trigger;
  if (t.type !== 'event') return `${t.type} of ${t.triggers.length} triggers`;
  const match = Object.entries(t.match)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : v}`)
    .join(', ');
  return `${t.posture === 'Proactive' ? 'no ' : ''}${t.expect.join(', ') || 'any event'}${match ? ` from ${match}` : ''}`;
}

/**
 * `/automations`: every automation with an on/off switch, its last firing (one query over the stored
 * `herald.automation.triggered` events, which outlive a restart, unlike the in-memory trace) and a
 * delete button.
 */
export default function AutomationsPage() {
  const { client, apiKey } = useClient();
  const now = useNow(15_000);
  const [overrides, setOverrides] = useState<Record<string, boolean>>({});
  const rows = useAsync(async (): Promise<Row[]> => {
    const automations = await client.listAutomations();
    if (automations.length === 0) return [];
    // A page holds at most 200 events: one query per 200 automations.
    const at = Date.now();
    const batches: string[][] = [];
    for (let i = 0; i < automations.length; i += 200) batches.push(automations.slice(i, i + 200).map((a) => a.id));
    const pages = await Promise.all(batches.map((ids) => client.queryPage(lastFiringsFilter(ids, at), { limit: ids.length })));
    const last = lastFiringByAutomation(pages.flatMap((p) => p.events));
    return automations.map((automation) => ({ automation, lastFired: last.get(automation.id) ?? null }));
  }, `automations|${apiKey ?? ''}`);
  const [deleteError, setDeleteError] = useState<unknown>(null);

  const remove = (automation: Automation) => {
    if (!window.confirm(`Delete the automation "${automation.name}"? This cannot be undone.`)) return;
    setDeleteError(null);
    client.deleteAutomation(automation.id).then(rows.reload, setDeleteError);
  };

  const toggle = (automation: Automation, enabled: boolean) => {
    setOverrides((o) => ({ ...o, [automation.id]: enabled }));
    client.setAutomationEnabled(automation.id, enabled).catch(() => setOverrides((o) => ({ ...o, [automation.id]: !enabled })));
  };

  return (
    <div className="page">
      <header className="page-header">
        <h1>Automations</h1>
        <Link className="button primary" href="/automations/new">
          New automation
        </Link>
      </header>
      {deleteError !== null && <ErrorState error={deleteError} />}
      {rows.status === 'error' ? (
        <ErrorState error={rows.error} onRetry={rows.reload} />
      ) : !rows.data ? (
        <p className="muted">Loading…</p>
      ) : rows.data.length === 0 ? (
        <div className="state" data-testid="empty-state">
          <h2>No automations yet</h2>
          <p>
            An automation reacts to events: open any event in the <Link href="/events">feed</Link> and choose <strong>Automate</strong>, or start from an
            empty one.
          </p>
        </div>
      ) : (
        <table className="related" data-testid="automation-list">
          <thead>
            <tr>
              <th>On</th>
              <th>Name</th>
              <th>Trigger</th>
              <th title={`In the past ${LAST_FIRING_LOOKBACK_DAYS} days`}>Last fired</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.data.map(({ automation, lastFired }) => {
              const enabled = overrides[automation.id] ?? automation.enabled;
              return (
                <tr key={automation.id}>
                  <td>
                    <input type="checkbox" role="switch" checked={enabled} onChange={(e) => toggle(automation, e.target.checked)} aria-label={`Enable ${automation.name}`} />
                  </td>
                  <td>
                    <Link href={`/automations/${automation.id}`}>{automation.name}</Link>
                  </td>
                  <td className="mono small-text">{summary(automation)}</td>
                  <td data-testid="last-fired">{lastFired ? <RelativeTime iso={lastFired} nowMs={now} /> : <span className="muted">never</span>}</td>
                  <td>
                    <button type="button" className="small danger" onClick={() => remove(automation)} aria-label={`Delete ${automation.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
