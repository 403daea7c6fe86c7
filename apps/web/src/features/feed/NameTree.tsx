import { useState } from 'react';
import type { NameNode } from '../../lib/name-tree.js';

/** The event-name prefix tree: tick a prefix (`acme.*`) or one exact name to filter by it. */
export function NameTree({ nodes, selected, onToggle }: { nodes: NameNode[]; selected: string[]; onToggle: (token: string) => void }) {
  if (nodes.length === 0) return <p className="muted small-text">No event names in this range.</p>;
  return (
    <ul className="name-tree" data-testid="name-tree">
      {nodes.map((node) => (
        <NameTreeNode key={node.token} node={node} selected={selected} onToggle={onToggle} depth={0} />
      ))}
    </ul>
  );
}

function NameTreeNode({ node, selected, onToggle, depth }: { node: NameNode; selected: string[]; onToggle: (token: string) => void; depth: number }) {
  const [open, setOpen] = useState(depth < 1 || selected.some((s) => s.startsWith(node.token.replace(/\*$/, ''))));
  const hasChildren = node.children.length > 0;
  return (
    <li>
      <div className="name-row">
        {hasChildren ? (
          <button type="button" className="twisty" aria-label={open ? 'Collapse' : 'Expand'} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="twisty" />
        )}
        <label title={node.token}>
          <input type="checkbox" checked={selected.includes(node.token)} onChange={() => onToggle(node.token)} />
          <span className="mono">{hasChildren ? `${node.segment}.*` : node.segment}</span>
        </label>
        <span className="count">{node.count.toLocaleString()}</span>
      </div>
      {hasChildren && open && (
        <ul>
          {node.children.map((child) => (
            <NameTreeNode key={child.token} node={child} selected={selected} onToggle={onToggle} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}
