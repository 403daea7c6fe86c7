import { useState, type FormEvent } from 'react';
import type { Automation, AutomationDraft } from '@herald/sdk/browser';
import { ErrorState } from '../../components/ErrorState.js';
import { useClient } from '../../hooks/use-client.js';
import { ActionsEditor } from './ActionsEditor.js';
import { TriggerForm } from './TriggerForm.js';

/** Name, trigger and actions of an automation; saves with create (no `id`) or replace. */
export function AutomationEditor({ initial, id, onSaved }: { initial: AutomationDraft; id?: string; onSaved: (automation: Automation) => void }) {
  const { client } = useClient();
  const [draft, setDraft] = useState<AutomationDraft>(initial);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    (id ? client.replaceAutomation(id, draft) : client.createAutomation(draft)).then(
      (saved) => {
        setSaving(false);
        onSaved(saved);
      },
      (err: unknown) => {
        setSaving(false);
        setError(err);
      },
    );
  };

  return (
    <form className="automation-editor" onSubmit={save} data-testid="automation-editor">
      <div className="form-grid">
        <label>
          Name
          <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} aria-label="Name" required />
        </label>
        <label>
          Description
          <input value={draft.description ?? ''} onChange={(e) => setDraft({ ...draft, description: e.target.value })} aria-label="Description" />
        </label>
        <label className="inline">
          <input type="checkbox" checked={draft.enabled ?? true} onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })} /> Enabled
        </label>
      </div>
      <TriggerForm trigger={draft.trigger} onChange={(trigger) => setDraft({ ...draft, trigger })} />
      <ActionsEditor actions={draft.actions} onChange={(actions) => setDraft({ ...draft, actions })} />
      {error !== null && <ApiProblem error={error} />}
      <button type="submit" className="primary" disabled={saving}>
        {saving ? 'Saving…' : id ? 'Save' : 'Create automation'}
      </button>
    </form>
  );
}

/** A refused write: the server's message and, for validation errors, each problem with its place. */
function ApiProblem({ error }: { error: unknown }) {
  const issues = (error as { details?: { issues?: { pointer: string; message: string }[] } }).details?.issues;
  if (!issues || issues.length === 0) return <ErrorState error={error} />;
  return (
    <div className="state state-error" role="alert" data-testid="save-error">
      <h3>The server refused this automation</h3>
      <ul>
        {issues.map((issue, i) => (
          <li key={i}>
            <span className="mono">{issue.pointer || '/'}</span>: {issue.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
