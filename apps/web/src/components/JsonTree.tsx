import { useState } from 'react';
import type { JsonValue } from '@herald/sdk/browser';

/** A collapsible JSON tree: objects and arrays fold, the top two levels start open. */
export function JsonTree({ value, name, depth = 0 }: { value: JsonValue | undefined; name?: string; depth?: number }) {
  const [open, setOpen] = useState(depth < 2);
  const label = name === undefined ? null : <span className="json-key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="json-line">
        {label}
        <span className={`json-${value === null ? 'null' : typeof value}`}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries: [string, JsonValue][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const [start, end] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <div className="json-node">
      <button type="button" className="json-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? '▾' : '▸'}
      </button>
      {label}
      {open ? (
        <>
          {start}
          <div className="json-children">
            {entries.map(([key, child]) => (
              <JsonTree key={key} name={key} value={child} depth={depth + 1} />
            ))}
          </div>
          {end}
        </>
      ) : (
        <span className="muted">
          {start} {entries.length} {entries.length === 1 ? 'item' : 'items'} {end}
        </span>
      )}
    </div>
  );
}
