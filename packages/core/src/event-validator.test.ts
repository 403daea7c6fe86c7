import { describe, expect, it } from 'vitest';
import { createEventValidator } from './event-validator.js';
import { DEFAULT_EVENT_LIMITS } from './limits.js';

const valid = {
  occurred: '2026-11-22T10:00:00Z',
  event: 'acme.model.refreshed',
  resource: { 'prefect.resource.id': 'acme.model.churn' },
  related: [{ 'prefect.resource.id': 'acme.team.ds', 'prefect.resource.role': 'owner' }],
  payload: { rows: 3 },
  id: '0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10',
};
const validator = createEventValidator({ ...DEFAULT_EVENT_LIMITS, maxLabelsPerResource: 3, maxRelatedResources: 2, maxEventNameLength: 10, maxPayloadDepth: 4 });
const issuesOf = (input: unknown) => {
  const r = validator.validate(input, [7]);
  return r.ok ? [] : r.issues.map((i) => [i.pointer, i.type]);
};

describe('createEventValidator', () => {
  it('accepts a valid event and ignores unknown top-level keys', () => {
    expect(validator.validate({ ...valid, event: 'ok', received: 'x', extra: 1 }).ok).toBe(true);
  });

  it('locates every problem with a JSON pointer', () => {
    expect(issuesOf({ ...valid, event: 'a.name.too.long', id: 'nope', occurred: 'later' })).toEqual(
      expect.arrayContaining([
        ['/7/event', 'string_too_long'],
        ['/7/id', 'uuid_parsing'],
        ['/7/occurred', 'datetime_parsing'],
      ]),
    );
  });

  it('requires the resource id and related roles, non-empty', () => {
    expect(issuesOf({ ...valid, event: 'e', resource: {} })).toEqual([['/7/resource/prefect.resource.id', 'missing']]);
    expect(issuesOf({ ...valid, event: 'e', resource: { 'prefect.resource.id': '' } })).toEqual([['/7/resource/prefect.resource.id', 'value_error']]);
    expect(issuesOf({ ...valid, event: 'e', related: [{ 'prefect.resource.id': 'x' }] })).toEqual([['/7/related/0/prefect.resource.role', 'missing']]);
  });

  it('refuses non-string labels, escaping the pointer', () => {
    expect(issuesOf({ ...valid, event: 'e', resource: { 'prefect.resource.id': 'x', 'a/b': 1 } })).toEqual([['/7/resource/a~1b', 'string_type']]);
  });

  it('enforces the label, related and depth limits', () => {
    expect(issuesOf({ ...valid, event: 'e', resource: { 'prefect.resource.id': 'x', a: '1', b: '2', c: '3' } })).toEqual([['/7/resource', 'too_long']]);
    expect(issuesOf({ ...valid, event: 'e', related: [valid.related[0], valid.related[0], valid.related[0]] })).toEqual([['/7/related', 'too_long']]);
    expect(issuesOf({ ...valid, event: 'e', payload: { a: { b: { c: { d: { e: 1 } } } } } })).toEqual([['/7/payload', 'payload_too_deep']]);
  });

  it('counts the payload itself, objects and arrays as levels, whatever their order', () => {
    expect(issuesOf({ ...valid, event: 'e', payload: { a: [{ b: 1 }], c: { d: [] } } })).toEqual([]);
    expect(issuesOf({ ...valid, event: 'e', payload: { a: [{ b: [1] }] } })).toEqual([]);
    expect(issuesOf({ ...valid, event: 'e', payload: { a: [{ b: [[1]] }] } })).toEqual([['/7/payload', 'payload_too_deep']]);
    expect(issuesOf({ ...valid, event: 'e', payload: { shallow: 1, a: { b: { c: {} } } } })).toEqual([]);
    expect(issuesOf({ ...valid, event: 'e', payload: { x: [[[[1]]]], shallow: 1 } })).toEqual([['/7/payload', 'payload_too_deep']]);
  });

  it('measures a hostile depth without exhausting the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const unlimited = createEventValidator({ ...DEFAULT_EVENT_LIMITS, maxPayloadDepth: 300_000 });
    expect(unlimited.validate({ ...valid, payload: { deep } }).ok).toBe(true);
    expect(issuesOf({ ...valid, event: 'e', payload: { deep } })).toEqual([['/7/payload', 'payload_too_deep']]);
  });

  it('refuses a payload that is not an object and a non-object event', () => {
    expect(issuesOf({ ...valid, event: 'e', payload: [1] })).toEqual([['/7/payload', 'dict_type']]);
    expect(issuesOf('event')).toEqual([['/7', 'dict_type']]);
  });
});
