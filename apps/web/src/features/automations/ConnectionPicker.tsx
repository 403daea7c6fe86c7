import { useState } from 'react';
import type { Connection, ConnectionKind } from '@herald/sdk/browser';
import { ErrorState } from '../../components/ErrorState.js';
import { useAsync } from '../../hooks/use-async.js';
import { useClient } from '../../hooks/use-client.js';
import { CONNECTION_SECRETS, DEFAULT_CONNECTION_SETTINGS, connectionBody, type ConnectionDraft } from '../../lib/connection-form.js';

const KINDS: ConnectionKind[] = ['webhook', 'slack', 'discord', 'email'];

/**
 * Picks the connection an action sends through (`GET /api/connections`), limited to the kinds the
 * action can use, and creates a new one in place.
 */
export function ConnectionPicker({ value, kinds, onChange }: { value: string; kinds: ConnectionKind[]; onChange: (id: string) => void }) {
  const { client, apiKey } = useClient();
  const connections = useAsync(() => client.listConnections(), `connections|${apiKey ?? ''}`);
  const [creating, setCreating] = useState(false);
  const usable = (connections.data ?? []).filter((c) => kinds.includes(c.kind));
  const known = value === '' || usable.some((c) => c.id === value);

  return (
    <div className="connection-picker" data-testid="connection-picker">
      <label>
        Connection
        <select value={value} onChange={(e) => onChange(e.target.value)} aria-label="Connection">
          <option value="">{connections.status === 'loading' ? 'Loading…' : usable.length === 0 ? 'No connection yet: create one' : 'Choose a connection'}</option>
          {usable.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.kind})
            </option>
          ))}
          {!known && <option value={value}>{value} (not found)</option>}
        </select>
      </label>
      {connections.status === 'error' && <ErrorState error={connections.error} onRetry={connections.reload} />}
      {creating ? (
        <NewConnection
          kinds={kinds}
          onCancel={() => setCreating(false)}
          onCreated={(connection) => {
            setCreating(false);
            connections.reload();
            onChange(connection.id);
          }}
        />
      ) : (
        <button type="button" className="small" onClick={() => setCreating(true)}>
          New connection
        </button>
      )}
    </div>
  );
}

function NewConnection({ kinds, onCancel, onCreated }: { kinds: ConnectionKind[]; onCancel: () => void; onCreated: (connection: Connection) => void }) {
  const { client } = useClient();
  const firstKind = kinds[0] ?? 'webhook';
  const [draft, setDraft] = useState<ConnectionDraft>({ kind: firstKind, name: '', settingsText: JSON.stringify(DEFAULT_CONNECTION_SETTINGS[firstKind], null, 2), secrets: {} });
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  // A nested <form> is invalid HTML inside the automation form: the create button submits by hand.
  const create = () => {
    const result = connectionBody(draft);
    setError(null);
    setProblem(result.ok ? null : result.message);
    if (!result.ok) return;
    setSaving(true);
    client.createConnection(result.body).then(
      (connection) => {
        setSaving(false);
        onCreated(connection);
      },
      (err: unknown) => {
        setSaving(false);
        setError(err);
      },
    );
  };

  return (
    <div className="editor-section new-connection" data-testid="new-connection">
      <div className="row">
        <label>
          Kind{' '}
          <select
            value={draft.kind}
            aria-label="Connection kind"
            onChange={(e) => {
              const kind = e.target.value as ConnectionKind;
              setDraft({ ...draft, kind, settingsText: JSON.stringify(DEFAULT_CONNECTION_SETTINGS[kind], null, 2), secrets: {} });
            }}
          >
            {KINDS.filter((k) => kinds.includes(k)).map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} aria-label="Connection name" />
        </label>
      </div>
      <label>
        Settings (JSON)
        <textarea rows={3} className="mono" value={draft.settingsText} onChange={(e) => setDraft({ ...draft, settingsText: e.target.value })} aria-label="Connection settings" />
      </label>
      <p className="muted small-text">Secrets are write-only: the server stores them encrypted and never shows them again.</p>
      {CONNECTION_SECRETS[draft.kind].map((field) => (
        <label key={field.name}>
          {field.label}
          {field.required ? '' : ' (optional)'}
          <input
            type="password"
            autoComplete="off"
            value={draft.secrets[field.name] ?? ''}
            onChange={(e) => setDraft({ ...draft, secrets: { ...draft.secrets, [field.name]: e.target.value } })}
            aria-label={`Secret ${field.name}`}
          />
        </label>
      ))}
      {problem && <p className="field-error">{problem}</p>}
      {error !== null && <ErrorState error={error} />}
      <div className="row">
        <button type="button" className="primary small" onClick={create} disabled={saving}>
          {saving ? 'Creating…' : 'Create connection'}
        </button>
        <button type="button" className="small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
