import { useState } from 'react';
import type { Action, TemplateCheck } from '@herald/sdk/browser';
import { useClient } from '../../hooks/use-client.js';
import { ConnectionPicker } from './ConnectionPicker.js';

const DEFAULTS: Record<Action['type'], Action> = {
  'do-nothing': { type: 'do-nothing' },
  'emit-event': { type: 'emit-event', event: '{"event": "herald.automation.noticed", "resource": {"prefect.resource.id": "{{ event.resource.id }}"}}' },
  'call-webhook': { type: 'call-webhook', block_document_id: '', payload: '{"event": "{{ event.event }}"}' },
  'send-notification': { type: 'send-notification', block_document_id: '', subject: '{{ automation.name }} fired', body: '{{ event.event }} on {{ event.resource.id }}' },
  'pause-automation': { type: 'pause-automation', source: 'inferred', automation_id: null },
  'resume-automation': { type: 'resume-automation', source: 'inferred', automation_id: null },
};

/** The action list: a type per action, its fields, and a server-side check of every template field. */
export function ActionsEditor({ actions, onChange }: { actions: Action[]; onChange: (actions: Action[]) => void }) {
  const replace = (i: number, action: Action) => onChange(actions.map((a, j) => (j === i ? action : a)));
  return (
    <fieldset className="editor-section" data-testid="actions-editor">
      <legend>Actions</legend>
      {actions.map((action, i) => (
        <div className="action" key={i}>
          <div className="row">
            <select value={action.type} onChange={(e) => replace(i, DEFAULTS[e.target.value as Action['type']])} aria-label={`Action ${i + 1} type`}>
              {Object.keys(DEFAULTS).map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <button type="button" className="small" onClick={() => onChange(actions.filter((_, j) => j !== i))} disabled={actions.length === 1}>
              Remove
            </button>
          </div>
          <ActionFields action={action} onChange={(a) => replace(i, a)} />
        </div>
      ))}
      <button type="button" onClick={() => onChange([...actions, DEFAULTS['do-nothing']])}>
        Add action
      </button>
    </fieldset>
  );
}

function ActionFields({ action, onChange }: { action: Action; onChange: (action: Action) => void }) {
  switch (action.type) {
    case 'do-nothing':
      return <p className="muted small-text">Records the firing (and its trace) and does nothing else.</p>;
    case 'emit-event':
      return <TemplateField label="Event (a Jinja template of a JSON event)" value={action.event} onChange={(event) => onChange({ ...action, event })} />;
    case 'call-webhook':
      return (
        <>
          <ConnectionPicker value={action.block_document_id} kinds={['webhook']} onChange={(id) => onChange({ ...action, block_document_id: id })} />
          <TemplateField label="Payload" value={action.payload} onChange={(payload) => onChange({ ...action, payload })} />
        </>
      );
    case 'send-notification':
      return (
        <>
          <ConnectionPicker value={action.block_document_id} kinds={['webhook', 'slack', 'discord', 'email']} onChange={(id) => onChange({ ...action, block_document_id: id })} />
          <TemplateField label="Subject" value={action.subject} onChange={(subject) => onChange({ ...action, subject })} />
          <TemplateField label="Body" value={action.body} onChange={(body) => onChange({ ...action, body })} />
        </>
      );
    case 'pause-automation':
    case 'resume-automation':
      return (
        <label>
          Automation id (empty: the one named by the triggering event)
          <input
            value={action.automation_id ?? ''}
            onChange={(e) => onChange(e.target.value === '' ? { type: action.type, source: 'inferred', automation_id: null } : { type: action.type, source: 'selected', automation_id: e.target.value })}
          />
        </label>
      );
    default: {
      const never: never = action;
      return never;
    }
  }
}

/** A template textarea checked by the server when it loses focus. */
export function TemplateField({ label, value, onChange }: { label: string; value: string; onChange: (value: string) => void }) {
  const { client } = useClient();
  const [check, setCheck] = useState<TemplateCheck | 'checking' | null>(null);
  const validate = () => {
    setCheck('checking');
    client.validateTemplate(value).then(setCheck, () => setCheck(null));
  };
  return (
    <label className="template-field">
      {label}
      <textarea rows={3} className="mono" value={value} onChange={(e) => (setCheck(null), onChange(e.target.value))} onBlur={validate} aria-label={label} />
      <span className="row small-text" data-testid="template-check">
        <button type="button" className="small" onClick={validate}>
          Check template
        </button>
        {check === 'checking' && <span className="muted">checking…</span>}
        {check !== null && check !== 'checking' && (check.ok ? <span className="ok">✓ valid</span> : <span className="field-error">line {check.line}: {check.message}</span>)}
      </span>
    </label>
  );
}
