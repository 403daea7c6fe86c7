import { describe, expect, it } from 'vitest';
import { lineageResource, readLineage } from './lineage.js';

const entry = (ids: string) => ({
  'prefect.resource.id': 'herald.lineage.x',
  'prefect.resource.role': 'herald-lineage',
  'herald.automations': ids,
});

describe('lineage', () => {
  it('reads the ids of every lineage resource, in order, without repeats', () => {
    expect(readLineage(null)).toEqual([]);
    expect(readLineage({ related: [{ 'prefect.resource.id': 'r', 'prefect.resource.role': 'other', 'herald.automations': 'z' }] })).toEqual(
      [],
    );
    expect(readLineage({ related: [entry('a,b'), entry('b,c,')] })).toEqual(['a', 'b', 'c']);
  });

  it('appends the acting automation, once', () => {
    expect(lineageResource({ related: [entry('a,b')] }, 'c')).toEqual({
      'prefect.resource.id': 'herald.lineage.c',
      'prefect.resource.role': 'herald-lineage',
      'herald.automations': 'a,b,c',
    });
    expect(lineageResource({ related: [entry('a,b')] }, 'b')['herald.automations']).toBe('a,b');
    expect(lineageResource(null, 'a')['herald.automations']).toBe('a');
  });
});
