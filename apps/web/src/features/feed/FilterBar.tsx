import { useEffect, useState, type FormEvent } from 'react';
import { EMPTY_FEED_FILTERS, resolveRange, type FeedListField, type FeedQuery } from '../../lib/feed-query.js';
import { describeRange, PRESETS, stepRange } from '../../lib/time-range.js';

/** Time presets, custom range, stepping, the search box and the active filter chips. */
export function FilterBar({ query, nowMs, onChange }: { query: FeedQuery; nowMs: number; onChange: (query: FeedQuery) => void }) {
  const [text, setText] = useState(query.text);
  const [custom, setCustom] = useState(false);
  useEffect(() => setText(query.text), [query.text]);

  const submitText = (event: FormEvent) => {
    event.preventDefault();
    onChange({ ...query, text });
  };
  const chips: { field: FeedListField; label: string; token: string }[] = [
    ...query.names.map((token) => ({ field: 'names' as const, label: 'event', token })),
    ...query.resources.map((token) => ({ field: 'resources' as const, label: 'resource', token })),
    ...query.related.map((token) => ({ field: 'related' as const, label: 'related', token })),
    ...query.follows.map((token) => ({ field: 'follows' as const, label: 'follows', token })),
  ];

  return (
    <div className="filter-bar">
      <div className="row">
        <div className="segmented" role="group" aria-label="Time range">
          <button type="button" aria-label="Previous range" onClick={() => onChange({ ...query, range: stepRange(query.range, -1, nowMs) })}>
            ◀
          </button>
          {PRESETS.map((p) => (
            <button
              type="button"
              key={p.seconds}
              aria-pressed={query.range.kind === 'span' && query.range.seconds === p.seconds}
              onClick={() => onChange({ ...query, range: { kind: 'span', seconds: p.seconds } })}
            >
              {p.label}
            </button>
          ))}
          <button type="button" aria-pressed={custom} onClick={() => setCustom(!custom)}>
            Custom
          </button>
          <button
            type="button"
            aria-label="Next range"
            disabled={query.range.kind === 'span'}
            onClick={() => onChange({ ...query, range: stepRange(query.range, 1, nowMs) })}
          >
            ▶
          </button>
        </div>
        <span className="muted range-label" data-testid="range-label">
          {describeRange(query.range)}
        </span>
        <form onSubmit={submitText} className="search">
          <input type="search" placeholder='Search names, labels, payloads ("phrase", -exclude)' value={text} onChange={(e) => setText(e.target.value)} aria-label="Search" />
        </form>
      </div>
      {custom && <CustomRange query={query} nowMs={nowMs} onChange={(q) => (setCustom(false), onChange(q))} />}
      <AddResourceFilter onAdd={(field, token) => onChange({ ...query, [field]: [...new Set([...query[field], token])] })} />
      {chips.length > 0 && (
        <div className="chips" data-testid="filter-chips">
          {chips.map((chip) => (
            <span className="chip" key={`${chip.field}:${chip.token}`}>
              <span className="muted">{chip.label}</span> <span className="mono">{chip.token}</span>
              <button type="button" aria-label={`Remove ${chip.token}`} onClick={() => onChange({ ...query, [chip.field]: query[chip.field].filter((t) => t !== chip.token) })}>
                ×
              </button>
            </span>
          ))}
          <button type="button" className="link-button" onClick={() => onChange({ ...query, ...EMPTY_FEED_FILTERS })}>
            Clear all
          </button>
        </div>
      )}
    </div>
  );
}

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

function CustomRange({ query, nowMs, onChange }: { query: FeedQuery; nowMs: number; onChange: (query: FeedQuery) => void }) {
  const { since, until } = resolveRange(query.range, nowMs);
  const [from, setFrom] = useState(toLocalInput(since));
  const [to, setTo] = useState(toLocalInput(until));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const a = new Date(from).getTime();
    const b = new Date(to).getTime();
    if (Number.isFinite(a) && Number.isFinite(b) && a < b) onChange({ ...query, range: { kind: 'range', since: new Date(a).toISOString(), until: new Date(b).toISOString() } });
  };
  return (
    <form className="row custom-range" onSubmit={apply}>
      <label>
        From <input type="datetime-local" step="1" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To <input type="datetime-local" step="1" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}

function AddResourceFilter({ onAdd }: { onAdd: (field: 'resources' | 'related', token: string) => void }) {
  const [field, setField] = useState<'resources' | 'related'>('resources');
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() === '') return;
    onAdd(field, value.trim());
    setValue('');
  };
  return (
    <form className="row add-filter" onSubmit={submit}>
      <select value={field} onChange={(e) => setField(e.target.value as 'resources' | 'related')} aria-label="Filter on">
        <option value="resources">Resource</option>
        <option value="related">Related</option>
      </select>
      <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="id, id prefix ending in *, or label=value" aria-label="Resource filter" />
      <button type="submit">Add filter</button>
    </form>
  );
}
