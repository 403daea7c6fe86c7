import { describe, expect, it } from 'vitest';
import type { ValidationIssue } from '../errors.js';
import type { CompoundTrigger, EventTrigger } from './automation-model.js';
import { parseAutomationCreate, parseAutomationPatch, parseAutomationUpdate, validateAutomationModel, type AutomationParseOptions } from './automation-parser.js';
import { LOOP_GUARD_MESSAGE } from './loop-guard.js';

const ID = '11111111-1111-4111-8111-111111111111';

function options(): AutomationParseOptions {
  let n = 0;
  return {
    newId: () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    validateTemplate: (source) => (source.includes('{{ }}') ? 'unexpected end of template' : null),
  };
}

const reactive = { type: 'event', posture: 'Reactive', expect: ['acme.thing.happened'] };
const body = (extra: Record<string, unknown> = {}) => ({ name: 'hello', trigger: reactive, actions: [{ type: 'do-nothing' }], ...extra });

function issuesOf(input: unknown): ValidationIssue[] {
  const result = parseAutomationCreate(input, options());
  if (result.ok) throw new Error(`expected issues, got ${JSON.stringify(result.value)}`);
  return result.issues;
}

function triggerOf(trigger: unknown) {
  const result = parseAutomationCreate(body({ trigger }), options());
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value.trigger;
}

describe('parseAutomationCreate', () => {
  it('fills the defaults of spec §1.1 and replaces trigger ids', () => {
    const result = parseAutomationCreate(body({ trigger: { ...reactive, id: ID } }), options());
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'hello',
        description: '',
        enabled: true,
        tags: [],
        trigger: {
          type: 'event',
          id: '00000000-0000-7000-8000-000000000001',
          match: {},
          match_related: {},
          after: [],
          expect: ['acme.thing.happened'],
          for_each: [],
          posture: 'Reactive',
          threshold: 1,
          within: 0,
        },
        actions: [{ type: 'do-nothing' }],
        actions_on_trigger: [],
        actions_on_resolve: [],
        owner_resource: null,
      },
    });
  });

  it('refuses unknown top-level keys and ignores unknown nested keys', () => {
    expect(issuesOf(body({ id: ID, created: 'x' }))).toEqual([
      { pointer: '/id', path: ['id'], type: 'extra_forbidden', message: 'Extra inputs are not permitted' },
      { pointer: '/created', path: ['created'], type: 'extra_forbidden', message: 'Extra inputs are not permitted' },
    ]);
    expect(triggerOf({ ...reactive, colour: 'blue' })).not.toHaveProperty('colour');
  });

  it('reports every missing required field', () => {
    expect(issuesOf({}).map((i) => [i.path, i.type])).toEqual([
      [['name'], 'missing'],
      [['trigger'], 'missing'],
      [['actions'], 'missing'],
    ]);
    expect(issuesOf('nope')).toEqual([expect.objectContaining({ path: [], type: 'model_type' })]);
  });

  it('requires posture on event triggers (Q-V1)', () => {
    expect(issuesOf(body({ trigger: { type: 'event' } }))).toEqual([
      { pointer: '/trigger/posture', path: ['trigger', 'posture'], type: 'missing', message: 'Field required' },
    ]);
    expect(issuesOf(body({ trigger: { ...reactive, posture: 'Metric' } }))[0]!.path).toEqual(['trigger', 'posture']);
  });

  it('collapses after, expect and for_each as sets', () => {
    const trigger = triggerOf({ ...reactive, after: ['a', 'a'], expect: ['b', 'c', 'b'], for_each: ['x', 'x'] }) as EventTrigger;
    expect([trigger.after, trigger.expect, trigger.for_each]).toEqual([['a'], ['b', 'c'], ['x']]);
  });

  it('reads match and match_related specs', () => {
    const trigger = triggerOf({ ...reactive, match: { 'prefect.resource.id': ['a.*', 'b.*'] }, match_related: [{ 'prefect.resource.role': 'flow' }] }) as EventTrigger;
    expect(trigger.match).toEqual({ 'prefect.resource.id': ['a.*', 'b.*'] });
    expect(trigger.match_related).toEqual([{ 'prefect.resource.role': 'flow' }]);
    expect(issuesOf(body({ trigger: { ...reactive, match: { a: 1 } } }))[0]!.path).toEqual(['trigger', 'match', 'a']);
  });

  it('refuses metric triggers and unknown trigger types', () => {
    expect(issuesOf(body({ trigger: { type: 'metric', posture: 'Metric' } }))[0]).toMatchObject({ path: ['trigger', 'type'], message: expect.stringContaining('Metric triggers are not supported') });
    expect(issuesOf(body({ trigger: { type: 'bogus' } }))[0]).toMatchObject({ path: ['trigger', 'type'], type: 'literal_error' });
  });
});

describe('S97 trigger validation', () => {
  it.each([-10, -1, -0.001])('reactive within %s → "greater than or equal to 0 seconds"', (within) => {
    const [issue] = issuesOf(body({ trigger: { ...reactive, within } }));
    expect(issue).toMatchObject({ path: ['trigger', 'within'] });
    expect(issue!.message).toContain('greater than or equal to 0 seconds');
  });

  it.each([-10, -1, -0.001, 1, 9, 9.999999, 'PT9S', '00:00:09'])('proactive within %j → "greater than or equal to 10 seconds"', (within) => {
    const [issue] = issuesOf(body({ trigger: { ...reactive, posture: 'Proactive', within } }));
    expect(issue!.message).toContain('greater than or equal to 10 seconds');
  });

  it.each(['Reactive', 'Proactive'])('%s within null → "should be a valid timedelta"', (posture) => {
    const [issue] = issuesOf(body({ trigger: { ...reactive, posture, within: null } }));
    expect(issue!.message).toContain('should be a valid timedelta');
  });

  it('defaults reactive within to 0 and raises proactive 0 or absent to 10 s', () => {
    expect((triggerOf(reactive) as EventTrigger).within).toBe(0);
    expect((triggerOf({ ...reactive, posture: 'Proactive' }) as EventTrigger).within).toBe(10);
    expect((triggerOf({ ...reactive, posture: 'Proactive', within: 0 }) as EventTrigger).within).toBe(10);
    expect((triggerOf({ ...reactive, posture: 'Proactive', within: 'PT0S' }) as EventTrigger).within).toBe(10);
  });

  it('parses string durations before the 10-second rule (Q-V3 divergence: Prefect answers 500)', () => {
    expect((triggerOf({ ...reactive, posture: 'Proactive', within: 'PT1M' }) as EventTrigger).within).toBe(60);
    expect((triggerOf({ ...reactive, posture: 'Proactive', within: '00:00:10' }) as EventTrigger).within).toBe(10);
    expect((triggerOf({ ...reactive, within: 'P1DT2H' }) as EventTrigger).within).toBe(93_600);
  });

  it('checks compound require bounds', () => {
    const children = [reactive, reactive];
    expect(issuesOf(body({ trigger: { type: 'compound', require: 0, within: null, triggers: children } }))[0]).toMatchObject({
      path: ['trigger'],
      message: expect.stringContaining('require must be at least 1'),
    });
    expect(issuesOf(body({ trigger: { type: 'compound', require: 3, within: null, triggers: children } }))[0]).toMatchObject({
      path: ['trigger'],
      message: expect.stringContaining('require must be less than or equal to the number of triggers'),
    });
    expect((triggerOf({ type: 'compound', require: 2, within: null, triggers: children }) as CompoundTrigger).require).toBe(2);
  });

  it('parses children without type as event triggers, with fresh ids', () => {
    const trigger = triggerOf({
      type: 'compound',
      require: 'all',
      within: 60,
      triggers: [
        { posture: 'Reactive', expect: ['a'], id: ID },
        { posture: 'Proactive', expect: ['b'], id: ID },
      ],
    }) as CompoundTrigger;
    expect(trigger.triggers.map((t) => t.type)).toEqual(['event', 'event']);
    expect(new Set([trigger.id, ...trigger.triggers.map((t) => t.id)]).size).toBe(3);
    expect(trigger.triggers.map((t) => t.id)).not.toContain(ID);
    expect(trigger.within).toBe(60);
  });

  it('infers composite types without type from triggers/require', () => {
    expect(triggerOf({ triggers: [reactive], require: 'any', within: null }).type).toBe('compound');
    expect(triggerOf({ triggers: [reactive], within: 'PT5S' }).type).toBe('sequence');
  });

  it('requires the composite within key, which may be null (Q-V2)', () => {
    expect(issuesOf(body({ trigger: { type: 'sequence', triggers: [reactive] } }))).toEqual([
      { pointer: '/trigger/within', path: ['trigger', 'within'], type: 'missing', message: 'Field required' },
    ]);
    expect(triggerOf({ type: 'sequence', triggers: [reactive], within: null })).toMatchObject({ within: null });
    expect(issuesOf(body({ trigger: { type: 'sequence', triggers: [reactive], within: -1 } }))[0]!.message).toContain('greater than or equal to 0 seconds');
  });

  it('locates issues of nested children', () => {
    expect(issuesOf(body({ trigger: { type: 'sequence', within: null, triggers: [reactive, { type: 'event' }] } }))[0]!.path).toEqual(['trigger', 'triggers', 1, 'posture']);
  });
});

describe('actions', () => {
  const actionIssues = (action: unknown) => issuesOf(body({ actions: [action] }));
  const parsedAction = (action: unknown) => {
    const result = parseAutomationCreate(body({ actions: [action] }), options());
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.value.actions[0];
  };

  it('parses every Herald action with its defaults', () => {
    expect(parsedAction({ type: 'call-webhook', block_document_id: ID })).toEqual({ type: 'call-webhook', block_document_id: ID, payload: '' });
    expect(parsedAction({ type: 'send-notification', block_document_id: ID, body: '{{ event.event }}' })).toEqual({
      type: 'send-notification',
      block_document_id: ID,
      subject: 'Prefect automated notification',
      body: '{{ event.event }}',
    });
    expect(parsedAction({ type: 'pause-automation', automation_id: ID })).toEqual({ type: 'pause-automation', source: 'selected', automation_id: ID });
    expect(parsedAction({ type: 'resume-automation', source: 'inferred' })).toEqual({ type: 'resume-automation', source: 'inferred', automation_id: null });
    expect(parsedAction({ type: 'emit-event', event: '{"event": "a.b", "resource": {"prefect.resource.id": "x"}}' })).toMatchObject({ type: 'emit-event' });
  });

  it('applies the source rule', () => {
    expect(actionIssues({ type: 'pause-automation' })[0]).toMatchObject({ path: ['actions', 0], message: 'Value error, automation_id is required' });
    expect(actionIssues({ type: 'pause-automation', source: 'inferred', automation_id: ID })[0]).toMatchObject({ message: 'Value error, automation_id is not allowed' });
    expect(actionIssues({ type: 'pause-automation', automation_id: 'nope' })[0]).toMatchObject({ path: ['actions', 0, 'automation_id'], type: 'uuid_parsing' });
  });

  it('converts a legacy object payload to 2-space-indented JSON text (spec §4.4)', () => {
    expect(parsedAction({ type: 'call-webhook', block_document_id: ID, payload: { message: 'hello world' } })).toMatchObject({ payload: '{\n  "message": "hello world"\n}' });
  });

  it('checks templates with the injected validator', () => {
    expect(actionIssues({ type: 'send-notification', block_document_id: ID, body: 'x {{ }}' })).toEqual([
      { pointer: '/actions/0/body', path: ['actions', 0, 'body'], type: 'value_error', message: "'body' is not a valid template: unexpected end of template" },
    ]);
    expect(actionIssues({ type: 'call-webhook', block_document_id: ID, payload: '{{ }}' })[0]!.message).toBe("'payload' is not a valid template: unexpected end of template");
    expect(actionIssues({ type: 'emit-event', event: '{{ }}' })[0]!.message).toBe("'event' is not a valid template: unexpected end of template");
  });

  it('requires emit-event events without template syntax to be JSON objects', () => {
    expect(actionIssues({ type: 'emit-event', event: 'plain text' })[0]!.message).toContain("'event' must be a JSON object");
    expect(parsedAction({ type: 'emit-event', event: { event: 'a.b', resource: { 'prefect.resource.id': 'x' } } })).toEqual({
      type: 'emit-event',
      event: '{\n  "event": "a.b",\n  "resource": {\n    "prefect.resource.id": "x"\n  }\n}',
    });
  });

  it.each(['run-deployment', 'pause-deployment', 'cancel-flow-run', 'change-flow-run-state', 'pause-work-queue', 'resume-work-pool'])(
    'refuses the orchestration action %s, saying why (DECISIONS 17)',
    (type) => {
      const [issue] = actionIssues({ type, source: 'inferred' });
      expect(issue).toMatchObject({ path: ['actions', 0, 'type'], type: 'value_error' });
      expect(issue!.message).toContain('Herald has no orchestrator');
    },
  );

  it('refuses unknown action types and missing fields', () => {
    expect(actionIssues({ type: 'launch-rocket' })[0]).toMatchObject({ type: 'literal_error' });
    expect(actionIssues({})[0]).toMatchObject({ path: ['actions', 0, 'type'], type: 'missing' });
    expect(actionIssues({ type: 'call-webhook' })[0]).toMatchObject({ path: ['actions', 0, 'block_document_id'], type: 'missing' });
    expect(issuesOf(body({ actions_on_resolve: [{ type: 'run-deployment' }] }))[0]!.path).toEqual(['actions_on_resolve', 0, 'type']);
  });
});

describe('S99 tags', () => {
  it('keeps tags in order, defaults them to []', () => {
    const parsed = (extra: Record<string, unknown>) => {
      const result = parseAutomationCreate(body(extra), options());
      return result.ok ? result.value.tags : result.issues;
    };
    expect(parsed({ tags: ['test', 'db', 'critical'] })).toEqual(['test', 'db', 'critical']);
    expect(parsed({ tags: [] })).toEqual([]);
    expect(parsed({})).toEqual([]);
    expect(parsed({ tags: ['a', 3] })).toEqual([expect.objectContaining({ path: ['tags', 1], type: 'string_type' })]);
  });
});

describe('parseAutomationUpdate', () => {
  it('refuses owner_resource and reports which keys were present (Q-A1)', () => {
    expect(parseAutomationUpdate(body({ owner_resource: 'x' }), options())).toMatchObject({ ok: false, issues: [{ path: ['owner_resource'], type: 'extra_forbidden' }] });
    const result = parseAutomationUpdate(body({ tags: ['new', 'updated', 'tags'] }), options());
    expect(result.ok && result.value.present).toEqual(['name', 'tags', 'trigger', 'actions']);
    expect(result.ok && result.value.value).not.toHaveProperty('owner_resource');
    expect(result.ok && result.value.value.tags).toEqual(['new', 'updated', 'tags']);
  });
});

describe('parseAutomationPatch', () => {
  it('accepts exactly {enabled}', () => {
    expect(parseAutomationPatch({ enabled: false })).toEqual({ ok: true, value: { enabled: false } });
    expect(parseAutomationPatch({ enabled: false, id: ID })).toMatchObject({ ok: false, issues: [{ path: ['id'], type: 'extra_forbidden' }] });
    expect(parseAutomationPatch({})).toMatchObject({ ok: false, issues: [{ path: ['enabled'], type: 'missing' }] });
    expect(parseAutomationPatch({ enabled: 'yes' })).toMatchObject({ ok: false, issues: [{ path: ['enabled'], type: 'bool_type' }] });
  });
});

describe("Herald's loop guard", () => {
  const emit = { type: 'emit-event', event: '{"event": "x", "resource": {"prefect.resource.id": "y"}}' };
  const everything = { type: 'event', posture: 'Reactive' };

  it.each([
    ['no expect', everything],
    ['expect *', { ...everything, expect: ['*'] }],
    ['match on any resource id', { ...everything, match: { 'prefect.resource.id': '*' } }],
    ['empty related specs', { ...everything, match_related: [{}] }],
  ])('refuses an enabled automation matching every event with emit-event (%s)', (_label, trigger) => {
    expect(issuesOf(body({ trigger, actions: [emit] }))).toEqual([{ pointer: '', path: [], type: 'value_error', message: LOOP_GUARD_MESSAGE }]);
    expect(issuesOf(body({ trigger, actions: [], actions_on_resolve: [emit] }))[0]!.path).toEqual([]);
  });

  it('accepts it when disabled, narrowed, composite, or without emit-event', () => {
    for (const extra of [
      { trigger: everything, actions: [emit], enabled: false },
      { trigger: { ...everything, expect: ['acme.*'] }, actions: [emit] },
      { trigger: { ...everything, match: { 'prefect.resource.id': 'acme.*' } }, actions: [emit] },
      { trigger: { ...everything, match_related: { 'prefect.resource.role': 'flow' } }, actions: [emit] },
      { trigger: everything, actions: [{ type: 'do-nothing' }] },
    ]) {
      expect(parseAutomationCreate(body(extra), options()).ok).toBe(true);
    }
  });

  it('runs again on a PATCH merge (validateAutomationModel)', () => {
    const created = parseAutomationCreate(body({ trigger: everything, actions: [emit], enabled: false }), options());
    if (!created.ok) throw new Error('expected a valid automation');
    expect(validateAutomationModel({ ...created.value, enabled: false }).ok).toBe(true);
    expect(validateAutomationModel({ ...created.value, enabled: true })).toEqual({ ok: false, issues: [expect.objectContaining({ path: [], type: 'value_error' })] });
  });
});
