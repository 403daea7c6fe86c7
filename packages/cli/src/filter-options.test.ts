import { parseEventFilter } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-error.js';
import { buildFilter, type FilterFlags } from './filter-options.js';

const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);
const none: FilterFlags = { event: [], eventPrefix: [], resource: [], resourcePrefix: [], label: [], related: [] };

describe('buildFilter', () => {
  it('is empty without flags', () => {
    expect(buildFilter(none, NOW)).toEqual({});
  });

  it('maps every flag to the wire filter, and the server-side parser accepts it', () => {
    const filter = buildFilter(
      {
        since: '1h',
        until: '2026-11-22T10:00:00Z',
        event: ['a.b'],
        eventPrefix: ['prefect.flow-run.', 'acme.'],
        resource: ['r1'],
        resourcePrefix: ['acme.'],
        label: ['env=prod', 'env=stag*', 'tier=!gold'],
        related: ['flow:prefect.flow.1', 'acme.tag.x'],
        text: 'error -debug',
      },
      NOW,
    );
    expect(filter).toEqual({
      occurred: { since: '2026-11-22T09:00:00Z', until: '2026-11-22T10:00:00Z' },
      event: { name: ['a.b'], prefix: ['prefect.flow-run.', 'acme.'] },
      resource: { id: ['r1'], id_prefix: ['acme.'], labels: { env: ['prod', 'stag*'], tier: ['!gold'] } },
      related: [{ resources_in_roles: [['prefect.flow.1', 'flow']] }, { id: ['acme.tag.x'] }],
      text: { query: 'error -debug' },
    });
    expect(parseEventFilter(filter, { now: NOW * 1000, missingUntil: 'now' }).ok).toBe(true);
  });

  it('refuses malformed labels and related resources', () => {
    expect(() => buildFilter({ ...none, label: ['tier'] }, NOW)).toThrow(UsageError);
    expect(() => buildFilter({ ...none, label: ['=x'] }, NOW)).toThrow(UsageError);
    expect(() => buildFilter({ ...none, related: [':id'] }, NOW)).toThrow(UsageError);
    expect(() => buildFilter({ ...none, related: ['role:'] }, NOW)).toThrow(UsageError);
  });
});
