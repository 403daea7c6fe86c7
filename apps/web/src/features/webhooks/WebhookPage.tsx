import { useEffect, useState, type FormEvent } from 'react';
import type { CapturedRequest, WebhookPreview, WebhookReplay, WebhookView } from '@herald/sdk/browser';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorState } from '../../components/ErrorState.js';
import { Link } from '../../components/Link.js';
import { useAsync } from '../../hooks/use-async.js';
import { useClient } from '../../hooks/use-client.js';
import { navigate } from '../../hooks/use-location.js';
import { protectionFields, protectionOf } from '../../lib/webhook-protection.js';
import { IssuedApiKey, WebhookProtection } from './WebhookProtection.js';

/**
 * A key issued by a create: the page for the new id mounts afresh after the navigation, so the key
 * waits here (in memory only) to be shown once.
 */
let issuedOnCreate: { webhookId: string; apiKey: string } | null = null;

const PRESET_LABELS: Record<string, string> = { static: 'Static', dynamic: 'Dynamic', cloudevent: 'CloudEvent', cloud_event: 'CloudEvent', cloudevents: 'CloudEvent' };

/** `/webhooks/new` and `/webhooks/:id`: the form with presets, the URL with copy and rotation, captured requests and the live preview. */
export default function WebhookPage({ id }: { id: string | null }) {
  const { client, apiKey } = useClient();
  const state = useAsync(async () => ({ webhook: id ? await client.getWebhook(id) : null, presets: await client.webhookPresets() }), `${id ?? 'new'}|${apiKey ?? ''}`);
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={state.reload} />;
  if (!state.data) return <p className="muted page">Loading…</p>;
  return <WebhookEditor key={id ?? 'new'} webhook={state.data.webhook} presets={state.data.presets} />;
}

function WebhookEditor({ webhook: initial, presets }: { webhook: WebhookView | null; presets: Record<string, string> }) {
  const { client } = useClient();
  const [webhook, setWebhook] = useState(initial);
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [template, setTemplate] = useState(initial?.template ?? Object.values(presets)[0] ?? '');
  const [protection, setProtection] = useState(() => protectionOf(initial));
  const [issuedKey, setIssuedKey] = useState<string | null>(() => {
    const issued = issuedOnCreate !== null && issuedOnCreate.webhookId === initial?.id ? issuedOnCreate.apiKey : null;
    issuedOnCreate = null;
    return issued;
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const fields = { name, description, template, ...protectionFields(protection) };
    const write = webhook ? client.updateWebhook(webhook.id, fields) : client.createWebhook(fields);
    write.then(
      (result) => {
        setSaved(true);
        setProtection((p) => ({ ...p, secret: '' }));
        if (result.api_key) setIssuedKey(result.api_key);
        if (!webhook) {
          if (result.api_key) issuedOnCreate = { webhookId: result.id, apiKey: result.api_key };
          navigate(`/webhooks/${result.id}`);
        }
        setWebhook(result);
      },
      setError,
    );
  };
  const remove = () => {
    if (!webhook || !window.confirm(`Delete the webhook "${webhook.name}"? Its URL stops working and its captured requests are deleted.`)) return;
    client.deleteWebhook(webhook.id).then(() => navigate('/webhooks'), setError);
  };
  const rotate = () => {
    if (!webhook || !window.confirm('Rotate the URL? The current URL stops working at once.')) return;
    client.rotateWebhook(webhook.id).then(setWebhook, setError);
  };

  return (
    <div className="page">
      <nav className="breadcrumb">
        <Link href="/webhooks">Webhooks</Link> / {webhook?.name ?? 'new'}
        {webhook && (
          <button type="button" className="small danger" onClick={remove} data-testid="delete-webhook">
            Delete
          </button>
        )}
      </nav>
      {issuedKey && <IssuedApiKey apiKey={issuedKey} onDismiss={() => setIssuedKey(null)} />}
      <form onSubmit={save} className="automation-editor" data-testid="webhook-form">
        <div className="form-grid">
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required aria-label="Name" />
          </label>
          <label>
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} aria-label="Description" />
          </label>
        </div>
        {webhook && (
          <p className="row" data-testid="webhook-url">
            <span className="mono">{webhook.endpoint}</span> <CopyButton text={webhook.endpoint} label="Copy URL" />
            <button type="button" className="small" onClick={rotate}>
              Rotate URL
            </button>
          </p>
        )}
        <p className="muted small-text">The template renders each request (method, headers, query, body) to a JSON event with at least `event` and `resource["prefect.resource.id"]`.</p>
        <div className="segmented" role="group" aria-label="Template presets">
          {Object.entries(presets).map(([key, text]) => (
            <button type="button" key={key} aria-pressed={template === text} onClick={() => setTemplate(text)}>
              {PRESET_LABELS[key] ?? key}
            </button>
          ))}
        </div>
        <label className="template-field">
          Template
          <textarea rows={10} className="mono" value={template} onChange={(e) => setTemplate(e.target.value)} aria-label="Template" />
        </label>
        <WebhookProtection webhook={webhook} draft={protection} onChange={setProtection} />
        {error !== null && <ErrorState error={error} />}
        <button type="submit" className="primary">
          {webhook ? 'Save' : 'Create webhook'}
        </button>
        {saved && <span className="ok"> Saved</span>}
      </form>
      {webhook && <CapturedRequests webhookId={webhook.id} template={template} />}
    </div>
  );
}

/** The last requests the webhook received, and the current (unsaved) template rendered against one of them. */
function CapturedRequests({ webhookId, template }: { webhookId: string; template: string }) {
  const { client } = useClient();
  const requests = useAsync(() => client.webhookRequests(webhookId), webhookId);
  const [selected, setSelected] = useState<string | null>(null);
  const [preview, setPreview] = useState<WebhookPreview | null>(null);
  const [replays, setReplays] = useState<Record<string, WebhookReplay | 'running' | { outcome: 'error'; error: string }>>({});
  const replay = (requestId: string) => {
    setReplays((r) => ({ ...r, [requestId]: 'running' }));
    client.replayWebhookRequest(webhookId, requestId).then(
      (result) => setReplays((r) => ({ ...r, [requestId]: result })),
      (err: unknown) => setReplays((r) => ({ ...r, [requestId]: { outcome: 'error', error: err instanceof Error ? err.message : String(err) } })),
    );
  };
  const current: CapturedRequest | undefined = requests.data?.find((r) => r.id === selected) ?? requests.data?.[0];

  useEffect(() => {
    if (!current) return;
    let live = true;
    const timer = setTimeout(() => {
      client.previewWebhook(webhookId, { requestId: current.id, template }).then(
        (result) => live && setPreview(result),
        (err: unknown) => live && setPreview({ ok: false, reason: 'request_failed', error: err instanceof Error ? err.message : String(err), rendered: null }),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, webhookId, current, template]);

  return (
    <section className="captured" data-testid="captured-requests">
      <h2>
        Captured requests{' '}
        <button type="button" className="small" onClick={requests.reload}>
          Refresh
        </button>
      </h2>
      {!requests.data || requests.data.length === 0 ? (
        <p className="muted">No request yet. Send one to the URL above, e.g. <code>curl -X POST &lt;url&gt; -d hello=world</code>, then refresh.</p>
      ) : (
        <div className="captured-grid">
          <ul className="request-list">
            {requests.data.map((r) => (
              <li key={r.id}>
                <button type="button" aria-pressed={current?.id === r.id} onClick={() => setSelected(r.id)}>
                  <span className={`outcome outcome-${r.outcome}`}>{r.outcome}</span> {r.method} {r.status} <span className="muted small-text">{new Date(r.received).toLocaleTimeString()}</span>
                </button>
                {r.error && <div className="field-error small-text">{r.error}</div>}
                <button type="button" className="small" onClick={() => replay(r.id)} disabled={replays[r.id] === 'running'} aria-label={`Replay request ${r.id}`}>
                  Replay
                </button>
                <ReplayOutcome replay={replays[r.id]} />
              </li>
            ))}
          </ul>
          <div>
            <h3>Request</h3>
            <pre>{current ? `${current.method} ?${current.query}\n${Object.entries(current.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${current.body}` : ''}</pre>
            <h3>Preview with the template above</h3>
            <div data-testid="webhook-preview">
              {!preview ? (
                <p className="muted">Rendering…</p>
              ) : preview.ok ? (
                <pre className="ok-border">{JSON.stringify(preview.events, null, 2)}</pre>
              ) : (
                <>
                  <p className="field-error">
                    {preview.reason}: {preview.error}
                  </p>
                  {preview.rendered !== null && <pre>{preview.rendered}</pre>}
                </>
              )}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

/** What a replay came to: the events it emitted (linked), or why it failed. */
function ReplayOutcome({ replay }: { replay: WebhookReplay | 'running' | { outcome: 'error'; error: string } | undefined }) {
  if (replay === undefined) return null;
  if (replay === 'running') return <span className="muted small-text"> replaying…</span>;
  switch (replay.outcome) {
    case 'accepted':
      return (
        <span className="small-text" data-testid="replay-outcome">
          <span className="ok">replayed: accepted</span>{' '}
          {replay.event_ids.map((id) => (
            <Link key={id} href={`/events/${id}`} className="mono">
              {id.slice(0, 13)}…
            </Link>
          ))}
        </span>
      );
    case 'failed':
      return (
        <span className="field-error small-text" data-testid="replay-outcome">
          replayed: failed ({replay.reason}) {replay.error}
        </span>
      );
    case 'error':
      return (
        <span className="field-error small-text" data-testid="replay-outcome">
          replay refused: {replay.error}
        </span>
      );
    default: {
      const never: never = replay;
      return never;
    }
  }
}
