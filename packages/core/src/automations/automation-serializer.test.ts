import { describe, expect, it } from 'vitest';
import type { Automation } from './automation-model.js';
import { parseAutomationCreate } from './automation-parser.js';
import { serializeAutomation } from './automation-serializer.js';

describe('serializeAutomation', () => {
  it('emits the spec example’s key order, with durations as seconds', () => {
    const parsed = parseAutomationCreate(
      {
        name: 'hello',
        description: 'world',
        trigger: {
          type: 'compound',
          require: 'any',
          within: 'PT1M',
          triggers: [{ posture: 'Reactive', match: { 'prefect.resource.name': 'howdy!' }, expect: ['surely.this'], within: 'PT2M', threshold: 42 }],
        },
        actions: [{ type: 'do-nothing' }],
        actions_on_trigger: [{ type: 'resume-automation', source: 'inferred' }],
      },
      { newId: () => 'tid', validateTemplate: () => null },
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const { owner_resource: _owner, ...input } = parsed.value;
    const automation: Automation = { id: 'aid', created: '2026-01-01T00:00:00.000000Z', updated: '2026-01-01T00:00:00.000000Z', ...input };
    const wire = serializeAutomation(automation);
    expect(Object.keys(wire)).toEqual(['id', 'created', 'updated', 'name', 'description', 'enabled', 'tags', 'trigger', 'actions', 'actions_on_trigger', 'actions_on_resolve']);
    expect(JSON.stringify(wire.trigger)).toBe(
      '{"type":"compound","id":"tid","require":"any","within":60,"triggers":[{"type":"event","id":"tid","match":{"prefect.resource.name":"howdy!"},"match_related":{},"after":[],"expect":["surely.this"],"for_each":[],"posture":"Reactive","threshold":42,"within":120}]}',
    );
    expect(wire.actions_on_trigger).toEqual([{ type: 'resume-automation', source: 'inferred', automation_id: null }]);
    expect(wire).not.toHaveProperty('owner_resource');
  });

  it('round-trips through the parser', () => {
    const wire = serializeAutomation({
      id: 'aid',
      created: 'c',
      updated: 'u',
      name: 'n',
      description: '',
      enabled: false,
      tags: ['t'],
      trigger: { type: 'sequence', id: 'tid', within: null, triggers: [{ type: 'event', id: 'tid', match: {}, match_related: [{ a: ['b'] }], after: ['x'], expect: ['y'], for_each: ['z'], posture: 'Proactive', threshold: 0, within: 30 }] },
      actions: [{ type: 'call-webhook', block_document_id: '11111111-1111-4111-8111-111111111111', payload: '{{ event.id }}' }],
      actions_on_trigger: [{ type: 'send-notification', block_document_id: '11111111-1111-4111-8111-111111111111', subject: 's', body: 'b' }],
      actions_on_resolve: [{ type: 'emit-event', event: '{"event": "{{ event.event }}.echo"}' }],
    });
    const { id: _id, created: _c, updated: _u, ...body } = wire;
    const reparsed = parseAutomationCreate(body, { newId: () => 'tid', validateTemplate: () => null });
    expect(reparsed.ok && serializeAutomation({ id: 'aid', created: 'c', updated: 'u', ...reparsed.value })).toEqual(wire);
  });
});
