/** One node of the event-name tree: a dotted prefix and everything under it. */
export interface NameNode {
  /** This node's own segment, e.g. `flow-run`. */
  segment: string;
  /** The filter token: `acme.flow-run.*` for a prefix, the exact name for a leaf. */
  token: string;
  /** Events under this node (the node's own exact name included). */
  count: number;
  children: NameNode[];
}

/**
 * Builds the prefix tree of event names from count-by-event rows. A name that is also a prefix of
 * others (`a.b` and `a.b.c`) gets a node for the prefix and an exact leaf. Children are sorted by
 * count, then name. Chains with a single child are kept, so every prefix stays selectable.
 *
 * @example
 * buildNameTree([{ value: 'acme.model.refreshed', count: 3 }, { value: 'acme.model.failed', count: 1 }])
 * // [{ segment: 'acme', token: 'acme.*', count: 4, children: [{ segment: 'model', token: 'acme.model.*', … }] }]
 */
export function buildNameTree(rows: { value: string; count: number }[]): NameNode[] {
  const root: NameNode = { segment: '', token: '', count: 0, children: [] };
  for (const row of rows) {
    const parts = row.value.split('.');
    let node = root;
    node.count += row.count;
    parts.forEach((segment, i) => {
      const leaf = i === parts.length - 1;
      const token = leaf ? row.value : `${parts.slice(0, i + 1).join('.')}.*`;
      let child = node.children.find((c) => c.token === token);
      if (!child) {
        child = { segment, token, count: 0, children: [] };
        node.children.push(child);
      }
      child.count += row.count;
      node = child;
    });
  }
  sortTree(root.children);
  return root.children;
}

function sortTree(nodes: NameNode[]): void {
  nodes.sort((a, b) => b.count - a.count || a.token.localeCompare(b.token));
  for (const node of nodes) sortTree(node.children);
}
