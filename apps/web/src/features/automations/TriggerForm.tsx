import { useEffect, useState } from 'react';
import type { JsonValue } from '@herald/sdk/browser';

type Draft = Record<string, JsonValue>;

/** A JSON value as form text: strings as they are, anything else as JSON (never "[object Object]"). */
const scalar = (value: JsonValue | undefined, fallback = ''): string => (value === undefined || value === null ? fallback : typeof value === 'string' ? value : JSON.stringify(value));
const list = (value: JsonValue | undefined): string[] => (Array.isArray(value) ? value.map((v) => scalar(v)) : []);
const csv = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `{a: 'x', b: ['y', 'z']}` ⇄ lines `a=x` and `b=y|z`. */
function labelsToText(value: JsonValue | undefined): string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return '';
  return Object.entries(value)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.map((x) => scalar(x)).join('|') : scalar(v)}`)
    .join('\n');
}
function textToLabels(text: string): Record<string, JsonValue> {
  const labels: Record<string, JsonValue> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const values = line.slice(at + 1).trim().split('|');
    labels[line.slice(0, at).trim()] = values.length > 1 ? values : (values[0] ?? '');
  }
  return labels;
}

const NEW_EVENT_TRIGGER: Draft = { type: 'event', match: {}, match_related: {}, after: [], expect: [], for_each: [], posture: 'Reactive', threshold: 1, within: 0 };
const isDraft = (value: JsonValue): value is Draft => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The trigger editor: a form for each trigger kind (event; compound and sequence with a nested form
 * per child trigger) and a JSON view of the whole trigger. Every change goes to `onChange` as JSON.
 */
export function TriggerForm({ trigger, onChange, legend = 'Trigger' }: { trigger: Draft; onChange: (trigger: Draft) => void; legend?: string }) {
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const type = typeof trigger.type === 'string' ? trigger.type : 'event';
  const set = (key: string, value: JsonValue) => onChange({ ...trigger, [key]: value });
  const changeType = (next: string) =>
    onChange(
      next === 'event'
        ? NEW_EVENT_TRIGGER
        : { type: next, triggers: [], within: null, ...(next === 'compound' ? { require: 'all' } : {}) },
    );

  return (
    <fieldset className="editor-section" data-testid="trigger-form">
      <legend>{legend}</legend>
      <div className="row">
        <label>
          Kind{' '}
          <select value={type} onChange={(e) => changeType(e.target.value)} aria-label="Trigger kind">
            <option value="event">Event</option>
            <option value="compound">Compound (several triggers)</option>
            <option value="sequence">Sequence (in order)</option>
          </select>
        </label>
        <span className="segmented">
          <button type="button" aria-pressed={mode === 'form'} onClick={() => setMode('form')}>
            Form
          </button>
          <button type="button" aria-pressed={mode === 'json'} onClick={() => setMode('json')}>
            JSON
          </button>
        </span>
      </div>
      {mode === 'json' ? (
        <JsonField value={trigger} onChange={(v) => v && typeof v === 'object' && !Array.isArray(v) && onChange(v)} label="Trigger JSON" />
      ) : type === 'event' ? (
        <div className="form-grid">
          <label>
            Expect events (comma-separated names or globs)
            <input value={list(trigger.expect).join(', ')} onChange={(e) => set('expect', csv(e.target.value))} aria-label="Expect" />
          </label>
          <label>
            After (events that open the window)
            <input value={list(trigger.after).join(', ')} onChange={(e) => set('after', csv(e.target.value))} aria-label="After" />
          </label>
          <label>
            From resources matching (one label=glob per line, alternatives with |)
            <textarea rows={3} value={labelsToText(trigger.match)} onChange={(e) => set('match', textToLabels(e.target.value))} aria-label="Match" />
          </label>
          <label>
            With a related resource matching
            <textarea rows={3} value={labelsToText(trigger.match_related)} onChange={(e) => set('match_related', textToLabels(e.target.value))} aria-label="Match related" />
          </label>
          <label>
            For each (labels that split counts)
            <input value={list(trigger.for_each).join(', ')} onChange={(e) => set('for_each', csv(e.target.value))} aria-label="For each" />
          </label>
          <div className="row">
            <label>
              Posture{' '}
              <select value={scalar(trigger.posture, 'Reactive')} onChange={(e) => set('posture', e.target.value)} aria-label="Posture">
                <option value="Reactive">Reactive (when events arrive)</option>
                <option value="Proactive">Proactive (when they do not)</option>
              </select>
            </label>
            <label>
              Threshold <input type="number" min={1} value={Number(trigger.threshold ?? 1)} onChange={(e) => set('threshold', Number(e.target.value))} aria-label="Threshold" />
            </label>
            <label>
              Within (s) <input type="number" min={0} value={Number(trigger.within ?? 0)} onChange={(e) => set('within', Number(e.target.value))} aria-label="Within" />
            </label>
          </div>
        </div>
      ) : (
        <div className="form-grid">
          {type === 'compound' && (
            <label>
              Require{' '}
              <select
                value={scalar(trigger.require, 'all')}
                onChange={(e) => set('require', e.target.value === 'any' || e.target.value === 'all' ? e.target.value : Number(e.target.value))}
                aria-label="Require"
              >
                <option value="all">all</option>
                <option value="any">any</option>
                {[1, 2, 3, 4].map((n) => (
                  <option key={n} value={n}>
                    at least {n}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Within (s, empty for unbounded)
            <input
              type="number"
              value={trigger.within === null || trigger.within === undefined ? '' : Number(trigger.within)}
              onChange={(e) => set('within', e.target.value === '' ? null : Number(e.target.value))}
              aria-label="Within"
            />
          </label>
          <ChildTriggers triggers={Array.isArray(trigger.triggers) ? trigger.triggers : []} ordered={type === 'sequence'} onChange={(children) => set('triggers', children)} />
        </div>
      )}
    </fieldset>
  );
}

/** The children of a compound or sequence trigger, each with its own form (and JSON view). */
function ChildTriggers({ triggers, ordered, onChange }: { triggers: JsonValue[]; ordered: boolean; onChange: (triggers: JsonValue[]) => void }) {
  return (
    <div className="child-triggers" data-testid="child-triggers">
      {triggers.length === 0 && <p className="muted small-text">No child trigger yet: add one{ordered ? ' per step, in the order they must happen' : ''}.</p>}
      {triggers.map((child, i) => (
        <div className="child-trigger" key={i}>
          <TriggerForm
            legend={ordered ? `Step ${i + 1}` : `Trigger ${i + 1}`}
            trigger={isDraft(child) ? child : NEW_EVENT_TRIGGER}
            onChange={(next) => onChange(triggers.map((t, j) => (j === i ? next : t)))}
          />
          <button type="button" className="small" onClick={() => onChange(triggers.filter((_, j) => j !== i))}>
            Remove {ordered ? 'step' : 'trigger'} {i + 1}
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => onChange([...triggers, NEW_EVENT_TRIGGER])}>
        Add {ordered ? 'step' : 'trigger'}
      </button>
    </div>
  );
}

/** A JSON textarea that reports only values that parse, and says when the text does not. */
export function JsonField({ value, onChange, label }: { value: JsonValue; onChange: (value: JsonValue) => void; label: string }) {
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // Follow outside changes, but not while the text is mid-edit and unparsable.
    setText((current) => {
      try {
        return JSON.stringify(JSON.parse(current)) === JSON.stringify(value) ? current : JSON.stringify(value, null, 2);
      } catch {
        return current;
      }
    });
  }, [value]);
  return (
    <label className="json-field">
      {label}
      <textarea
        rows={10}
        className="mono"
        value={text}
        aria-label={label}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(JSON.parse(e.target.value) as JsonValue);
            setError(null);
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          }
        }}
      />
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}
