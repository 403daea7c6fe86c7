import { describe, expect, it } from 'vitest';
import { compareAutomations, matchesAutomationFilter, parseAutomationFilterRequest } from './automation-filter.js';
import type { Automation, AutomationFilter } from './automation-model.js';

function automation(name: string, tags: string[], created = '2026-01-01T00:00:00.000000Z', updated = created): Automation {
  return {
    id: `00000000-0000-7000-8000-${name.replace(/\W/g, '').padStart(12, '0').slice(-12)}`,
    created,
    updated,
    name,
    description: '',
    enabled: true,
    tags,
    trigger: { type: 'event', id: 'x', match: {}, match_related: {}, after: [], expect: [], for_each: [], posture: 'Reactive', threshold: 1, within: 0 },
    actions: [],
    actions_on_trigger: [],
    actions_on_resolve: [],
  };
}

describe('S93 tag filters', () => {
  const all = [
    automation('tag-1', ['production', 'critical']),
    automation('tag-2', ['staging', 'experimental']),
    automation('tag-3', ['production', 'monitoring']),
    automation('tag-4', ['production', 'critical', 'monitoring']),
    automation('no-tags', []),
  ];
  const names = (body: unknown) => {
    const parsed = parseAutomationFilterRequest(body);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return all.filter((a) => matchesAutomationFilter(a, parsed.value.filter)).map((a) => a.name).sort();
  };

  it.each([
    [{ any_: ['production'] }, ['tag-1', 'tag-3', 'tag-4']],
    [{ any_: ['critical', 'experimental'] }, ['tag-1', 'tag-2', 'tag-4']],
    [{ all_: ['production', 'critical'] }, ['tag-1', 'tag-4']],
    [{ all_: ['nonexistent', 'missing'] }, []],
    [{ is_null_: true }, ['no-tags']],
    [{ is_null_: false }, ['tag-1', 'tag-2', 'tag-3', 'tag-4']],
  ])('tags %j → %j', (tags, expected) => {
    expect(names({ automations: { tags } })).toEqual(expected);
  });

  it('combines name and tags', () => {
    expect(names({ automations: { name: { any_: ['tag-1', 'tag-3'] }, tags: { any_: ['production'] } } })).toEqual(['tag-1', 'tag-3']);
  });

  it('honours or_ at both levels', () => {
    expect(names({ automations: { operator: 'or_', name: { any_: ['no-tags'] }, tags: { all_: ['staging'] } } })).toEqual(['no-tags', 'tag-2']);
    expect(names({ automations: { tags: { operator: 'or_', all_: ['staging'], is_null_: true } } })).toEqual(['no-tags', 'tag-2']);
  });

  it('matches everything without criteria', () => {
    expect(names({})).toHaveLength(5);
    expect(names({ automations: { operator: 'or_' } })).toHaveLength(5);
    expect(names({ automations: { name: { any_: null } } })).toHaveLength(5);
  });
});

describe('matchesAutomationFilter', () => {
  it('applies created.before_ inclusively', () => {
    const a = automation('a', [], '2026-01-01T00:00:00.000000Z');
    const filter = (before: string): AutomationFilter => ({ operator: 'and_', created: { before_: before } });
    expect(matchesAutomationFilter(a, filter('2026-01-01T00:00:00Z'))).toBe(true);
    expect(matchesAutomationFilter(a, filter('2025-12-31T23:59:59Z'))).toBe(false);
  });
});

describe('parseAutomationFilterRequest', () => {
  it('fills the defaults', () => {
    expect(parseAutomationFilterRequest(undefined)).toEqual({ ok: true, value: { sort: 'NAME_ASC', limit: 200, offset: 0, filter: null } });
    expect(parseAutomationFilterRequest({ sort: 'CREATED_DESC', limit: 5, offset: 10, automations: null })).toEqual({
      ok: true,
      value: { sort: 'CREATED_DESC', limit: 5, offset: 10, filter: null },
    });
  });

  it('refuses limits above 200, negatives and unknown keys', () => {
    expect(parseAutomationFilterRequest({ limit: 201 })).toEqual({
      ok: false,
      issues: [{ pointer: '/limit', path: ['limit'], type: 'value_error', message: 'Invalid limit: must be less than or equal to 200.' }],
    });
    expect(parseAutomationFilterRequest({ limit: -1 })).toMatchObject({ ok: false, issues: [{ path: ['limit'], type: 'greater_than_equal' }] });
    expect(parseAutomationFilterRequest({ offset: -1 })).toMatchObject({ ok: false, issues: [{ path: ['offset'] }] });
    expect(parseAutomationFilterRequest({ page: 2 })).toMatchObject({ ok: false, issues: [{ path: ['page'], type: 'extra_forbidden' }] });
    expect(parseAutomationFilterRequest({ automations: { tags: { none_: [] } } })).toMatchObject({ ok: false, issues: [{ path: ['automations', 'tags', 'none_'], type: 'extra_forbidden' }] });
    expect(parseAutomationFilterRequest({ sort: 'NAME' })).toMatchObject({ ok: false, issues: [{ path: ['sort'], type: 'enum' }] });
    expect(parseAutomationFilterRequest({ automations: { created: { before_: 'yesterday' } } })).toMatchObject({ ok: false, issues: [{ path: ['automations', 'created', 'before_'] }] });
  });
});

describe('compareAutomations', () => {
  const a = automation('alpha', [], '2026-01-02T00:00:00.000000Z', '2026-01-02T00:00:00.000000Z');
  const b = automation('beta', [], '2026-01-01T00:00:00.000000Z', '2026-01-03T00:00:00.000000Z');
  const c = automation('Charlie', [], '2026-01-03T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
  const order = (sort: Parameters<typeof compareAutomations>[0]) => [b, c, a].sort(compareAutomations(sort)).map((x) => x.name);

  it.each([
    ['NAME_ASC', ['Charlie', 'alpha', 'beta']],
    ['NAME_DESC', ['beta', 'alpha', 'Charlie']],
    ['CREATED_DESC', ['Charlie', 'alpha', 'beta']],
    ['UPDATED_DESC', ['beta', 'alpha', 'Charlie']],
  ] as const)('%s', (sort, expected) => {
    expect(order(sort)).toEqual(expected);
  });
});
