import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../ports.js';
import { encodeAppendRows } from './encode-append-rows.js';

const ID = '0193a5c2-7c7e-7000-8000-000000000001';

function record(resource: Record<string, string>, related: Record<string, string>[]): EventRecord {
  const event = { occurred: '2026-11-22T10:00:00Z', event: 'acme.x', resource, related, payload: {}, id: ID, follows: null, received: '2026-11-22T10:00:00Z' };
  return { event, occurred: 1, received: 2, json: '{}' };
}

/** What the writer binds as `labels`: the JSON of every label but id and role, or null. */
function expectedLabels(resource: Record<string, string>): string | null {
  const others = Object.entries(resource).filter(([label]) => label !== 'prefect.resource.id' && label !== 'prefect.resource.role');
  return others.length === 0 ? null : JSON.stringify(Object.fromEntries(others));
}

describe('encodeAppendRows', () => {
  it('flattens an event and its resources: id hex, times, names, then id, role and other labels per resource', () => {
    const cells = encodeAppendRows([
      record({ 'prefect.resource.id': 'acme.a', 'prefect.resource.name': 'A' }, [{ 'prefect.resource.id': 'acme.f', 'prefect.resource.role': 'flow' }]),
    ]);
    expect(cells).toEqual([
      '0193a5c27c7e70008000000000000001', 1, 2, 'acme.x', 'acme.a', '{}', 2, null,
      'acme.a', null, '{"prefect.resource.name":"A"}',
      'acme.f', 'flow', null,
    ]);
  });

  it('writes the other labels as JSON.stringify writes them, whatever their names and values', () => {
    const labels = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', '1', 'prefect.resource.role')), fc.string({ unit: 'grapheme' }));
    fc.assert(
      fc.property(labels, labels, (primary, other) => {
        const resource = { 'prefect.resource.id': 'acme.a', ...primary };
        const related = { ...other, 'prefect.resource.id': 'acme.b', 'prefect.resource.role': 'r' };
        const cells = encodeAppendRows([record(resource, [related])]);
        expect([cells[10], cells[13]]).toEqual([expectedLabels(resource), expectedLabels(related)]);
      }),
      { numRuns: 300 },
    );
  });
});
