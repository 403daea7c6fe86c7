import { useState } from 'react';
import type { WebhookView } from '@herald/sdk/browser';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorState } from '../../components/ErrorState.js';
import { Link } from '../../components/Link.js';
import { useAsync } from '../../hooks/use-async.js';
import { useClient } from '../../hooks/use-client.js';

/** How callers must prove themselves, in a few words. */
function protection(webhook: WebhookView): string {
  const parts = [webhook.require_api_key ? 'API key' : null, webhook.signature ? `${webhook.signature.preset} signature` : null].filter((p) => p !== null);
  return parts.length === 0 ? 'open (the URL is the secret)' : parts.join(' + ');
}

/** `/webhooks`: every inbound webhook with its URL (copyable), its protection and an on/off switch. */
export default function WebhooksPage() {
  const { client, apiKey } = useClient();
  const list = useAsync(() => client.listWebhooks(), `webhooks|${apiKey ?? ''}`);
  const [overrides, setOverrides] = useState<Record<string, boolean>>({});
  const toggle = (webhook: WebhookView, enabled: boolean) => {
    setOverrides((o) => ({ ...o, [webhook.id]: enabled }));
    client.updateWebhook(webhook.id, { enabled }).catch(() => setOverrides((o) => ({ ...o, [webhook.id]: !enabled })));
  };
  return (
    <div className="page">
      <header className="page-header">
        <h1>Webhooks</h1>
        <Link className="button primary" href="/webhooks/new">
          New webhook
        </Link>
      </header>
      {list.status === 'error' ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <p className="muted">Loading…</p>
      ) : list.data.length === 0 ? (
        <div className="state" data-testid="empty-state">
          <h2>No webhooks yet</h2>
          <p>A webhook is a URL that turns any HTTP request (from GitHub, Stripe, a cron job…) into an event, through a template you write. Create one to get its URL.</p>
        </div>
      ) : (
        <table className="related" data-testid="webhook-list">
          <thead>
            <tr>
              <th>On</th>
              <th>Name</th>
              <th>Description</th>
              <th>URL</th>
              <th>Protection</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((webhook) => (
              <tr key={webhook.id}>
                <td>
                  <input type="checkbox" role="switch" checked={overrides[webhook.id] ?? webhook.enabled} onChange={(e) => toggle(webhook, e.target.checked)} aria-label={`Enable ${webhook.name}`} />
                </td>
                <td>
                  <Link href={`/webhooks/${webhook.id}`}>{webhook.name}</Link>
                </td>
                <td className="muted">{webhook.description}</td>
                <td>
                  <span className="mono small-text">{webhook.endpoint}</span> <CopyButton text={webhook.endpoint} />
                </td>
                <td className="small-text" data-testid="webhook-protection-summary">
                  {protection(webhook)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
