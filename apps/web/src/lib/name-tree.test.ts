import { describe, expect, it } from 'vitest';
import { buildNameTree } from './name-tree.js';

describe('buildNameTree', () => {
  it('groups names under every dotted prefix with summed counts, biggest first', () => {
    const tree = buildNameTree([
      { value: 'acme.model.refreshed', count: 3 },
      { value: 'acme.model.failed', count: 5 },
      { value: 'acme.job.done', count: 1 },
      { value: 'other.thing', count: 2 },
    ]);
    expect(tree.map((n) => [n.token, n.count])).toEqual([
      ['acme.*', 9],
      ['other.*', 2],
    ]);
    const acme = tree[0]!;
    expect(acme.children.map((n) => [n.token, n.count])).toEqual([
      ['acme.model.*', 8],
      ['acme.job.*', 1],
    ]);
    expect(acme.children[0]!.children.map((n) => n.token)).toEqual(['acme.model.failed', 'acme.model.refreshed']);
  });

  it('keeps a name that is also a prefix of others as its own leaf', () => {
    const tree = buildNameTree([
      { value: 'a.b', count: 1 },
      { value: 'a.b.c', count: 2 },
    ]);
    expect(tree[0]!.children.map((n) => n.token).sort()).toEqual(['a.b', 'a.b.*']);
  });

  it('gives a single-segment name a leaf at the top', () => {
    expect(buildNameTree([{ value: 'ping', count: 4 }])).toEqual([{ segment: 'ping', token: 'ping', count: 4, children: [] }]);
  });
});
