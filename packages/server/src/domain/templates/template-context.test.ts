import { describe, expect, it } from 'vitest';
import { buildActionTemplateContext, buildWebhookTemplateContext, renderJsonTemplate, renderTemplate } from './index.js';
import { liliesAutomation, liliesFiring, nibbledEvent } from './template-fixtures.test-support.js';
import type { Firing, ReceivedEvent } from '@herald/core';

function context(options: { event?: ReceivedEvent | null; uiUrl?: string | null; firing?: Firing } = {}) {
  const event = options.event === undefined ? nibbledEvent() : options.event;
  return buildActionTemplateContext({
    automation: liliesAutomation(),
    firing: options.firing ?? liliesFiring(event),
    event,
    uiUrl: options.uiUrl ?? null,
  });
}

function render(source: string, ctx = context()): string {
  const result = renderTemplate(source, ctx);
  if (!result.ok) throw new Error(result.error);
  return result.text;
}

describe('spec §6.8 template scenarios', () => {
  it('S113: the label diver walks dotted segments and looks up exact labels', () => {
    expect(render('{{ labels.i.am.so }}')).toBe('triggered');
    expect(render("{{ labels['i.am.so'] }}")).toBe('triggered');
  });

  it('S115: related resources expose a labels diver', () => {
    const source =
      '{% for related in event.related %}{{ related.labels.prefect.resource.role }} - {{ related.labels.genus }}, {% endfor %}';
    expect(render(source)).toBe('meal - Hemerocallis, meal - Tulipa, ');
  });

  it('S117: mutation fails the render and leaves the event unchanged', () => {
    const event = nibbledEvent();
    const ctx = context({ event });
    const result = renderTemplate('{{ event.related.append(42) }}', ctx);
    expect(result.ok).toBe(false);
    expect(event.related).toHaveLength(2);
    expect(render('{{ event.related | length }}', ctx)).toBe('2');
  });

  it('S117: range over 100 elements fails at render', () => {
    expect(renderTemplate('{% for i in range(101) %}{{ i }}{% endfor %}', context()).ok).toBe(false);
    expect(render('{% for i in range(100) %}{% endfor %}done')).toBe('done');
  });

  it('S117: extends and import fail (Herald rejects them when parsing)', () => {
    expect(renderTemplate("{% extends 'base.html' %}", context())).toMatchObject({ ok: false });
    expect(renderTemplate("{% import 'anything.html' as forms %}", context())).toMatchObject({ ok: false });
    expect(renderTemplate("{% include 'x.html' %}", context())).toMatchObject({ ok: false });
  });

  it('S117: underscore attributes render empty', () => {
    const expected = 'I did not get this attribute: (), no, Sir, I did not';
    expect(render('I did not get this attribute: ({{ event.__type__ }}), no, Sir, I did not')).toBe(expected);
    expect(render("I did not get this attribute: ({{ event|attr('__type__') }}), no, Sir, I did not")).toBe(expected);
  });

  it('S119: resource name and resources by role', () => {
    const event = nibbledEvent({
      resource: { 'prefect.resource.id': 'prefect.work-queue.123', 'prefect.resource.name': 'some-queue' },
      related: [
        { 'prefect.resource.id': 'prefect.work-pool.1', 'prefect.resource.role': 'work-pool', 'prefect.resource.name': 'this-pool' },
        { 'prefect.resource.id': 'prefect.work-pool.2', 'prefect.resource.role': 'work-pool', 'prefect.resource.name': 'that-pool' },
      ],
    });
    const source =
      "Name: {{ event.resource.name }}\nPool: {{ event.resource_in_role['work-pool'].name }}\nPools: {% for resource in event.resources_in_role['work-pool'] %}{{ resource.name }},{% endfor %}";
    expect(render(source, context({ event }))).toBe('Name: some-queue\nPool: this-pool\nPools: this-pool,that-pool,');
  });

  it('S121: ui_url of the automation points at the automation page', () => {
    const ctx = context({ uiUrl: 'http://localhost:3000' });
    expect(render('{{ automation|ui_url }}', ctx)).toContain(`/automations/${liliesAutomation().id}`);
    expect(render('{{ automation|ui_url }}', ctx)).toBe(`http://localhost:3000/automations/${liliesAutomation().id}`);
  });

  it('S123: tojson of the event parses back to the event (DECISIONS 15: typed JSON)', () => {
    const event = nibbledEvent();
    const result = renderJsonTemplate('{{ event | tojson }}', context({ event }));
    expect(result).toEqual({ ok: true, value: event });
    const direct = renderJsonTemplate('{{ event }}', context({ event }));
    expect(direct).toEqual({ ok: true, value: event });
  });
});

describe('action context', () => {
  it('exposes the event fields and helpers', () => {
    expect(render('{{ event.id }} {{ event.event }} {{ event.resource.id }}')).toBe(
      '0193a5c2-7c7e-7000-8000-000000000001 animal.ingested woodchonk',
    );
    expect(render("{{ event.resource['genus'] }} {{ event.resource.labels.species }}")).toBe('Marmota monax');
    expect(render('{{ event.related[1].role }} {{ event.related[1].id }}')).toBe('meal my-tulip');
    expect(render("{{ event.related[0]['genus'] }}")).toBe('Hemerocallis');
    expect(render('{% for r in event.involved_resources %}{{ r.id }};{% endfor %}')).toBe('woodchonk;my-lily;my-tulip;');
    expect(render("{{ event.resource_in_role['nope'] }}|{{ event.payload.bites + 1 }}")).toBe('|4');
    expect(render('{{ event.follows }}')).toBe('null');
  });

  it('iterating a labels diver yields (label, value) pairs', () => {
    expect(render('{% for k, v in event.resource.labels %}{% if k == "genus" %}{{ k }}={{ v }}{% endif %}{% endfor %}')).toBe(
      'genus=Marmota',
    );
    expect(render('{% for k, v in labels %}{{ k }}={{ v }}{% endfor %}')).toBe('i.am.so=triggered');
    expect(render('{{ labels.i.am }}|{{ labels.nope.deeper }}|{{ labels.i.am.so == "triggered" }}')).toBe('||true');
    expect(render('{{ [labels.i.am.so] }} {{ [labels.i.am] }} {{ labels | tojson }}')).toBe(
      '["triggered"] [{"so": "triggered"}] {"i.am.so": "triggered"}',
    );
    expect(renderJsonTemplate('{{ labels }}', context())).toEqual({ ok: true, value: { 'i.am.so': 'triggered' } });
    expect(renderJsonTemplate('{{ labels.i.am.so }}', context())).toEqual({ ok: true, value: 'triggered' });
  });

  it('event.url needs a UI URL', () => {
    expect(render('{{ event.url }}')).toBe('null');
    expect(render('{{ event.url }}', context({ uiUrl: 'https://herald.example' }))).toBe(
      'https://herald.example/events/0193a5c2-7c7e-7000-8000-000000000001',
    );
  });

  it('ui filters know events, resources and automations; null otherwise', () => {
    const ctx = context({ uiUrl: 'https://h.example' });
    expect(render('{{ event|ui_url }}', ctx)).toBe('https://h.example/events/0193a5c2-7c7e-7000-8000-000000000001');
    expect(render('{{ event.resource|ui_url }}', ctx)).toBe('https://h.example/resources/woodchonk');
    expect(render('{{ event.resource|ui_resource_events_url }}', ctx)).toBe('https://h.example/resources/woodchonk');
    expect(render('{{ automation|ui_resource_events_url }}', ctx)).toBe(
      `https://h.example/resources/${encodeURIComponent(`herald.automation.${liliesAutomation().id}`)}`,
    );
    expect(render('{{ firing|ui_url }}|{{ 42|ui_url }}|{{ event|ui_resource_events_url }}', ctx)).toBe('null|null|null');
    expect(render('{{ automation|ui_url }}')).toBe('null');
  });

  it('firing, firings and events', () => {
    const child = liliesFiring();
    const parent: Firing = { ...liliesFiring(), id: 'parent', triggering_firings: [child], triggering_event: child.triggering_event };
    const ctx = context({ firing: parent });
    expect(
      render('{{ firing.trigger_states }} {{ firings | length }} {{ events | length }} {{ firing.triggering_labels.i.am.so }}', ctx),
    ).toBe('["Triggered"] 2 2 triggered');
    expect(render('{{ firings[1].triggering_event.resource.id }}', ctx)).toBe('woodchonk');
    expect(render('{{ automation.name }} / {{ automation.actions[0].type }}', ctx)).toBe(
      'If my lilies get nibbled, tell me about it / do-nothing',
    );
  });

  it('without a triggering event, event and orchestrator objects render empty', () => {
    const ctx = context({ event: null });
    expect(render('[{{ event }}][{{ event.id }}][{{ flow_run.name }}][{{ deployment }}][{{ events|length }}]', ctx)).toBe('[][][][][0]');
  });
});

describe('webhook context', () => {
  const request = buildWebhookTemplateContext({
    method: 'post',
    headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', authorization: 'Bearer secret' },
    body: { repo: 'herald', build_id: 7, status: 'ok', _id: 'mongo', tags: ['a'] },
    query: { page: '2', tag: ['x', 'y'] },
    raw_body: '{"repo":"herald"}',
  });

  it('headers are case-insensitive and Authorization is gone', () => {
    expect(render("{{ headers['x-github-event'] }} {{ headers['X-GITHUB-EVENT'] }} {{ headers['Content-Type'] }}", request)).toBe(
      'push push application/json',
    );
    expect(render("[{{ headers.authorization }}][{{ headers['Authorization'] }}]", request)).toBe('[][]');
  });

  it('method, body, query and raw_body', () => {
    expect(render('{{ method }} {{ body.repo }} {{ body.build_id }} {{ query.page }} {{ query.tag[1] }} {{ raw_body }}', request)).toBe(
      'POST herald 7 2 y {"repo":"herald"}',
    );
    expect(render("[{{ body._id }}][{{ body['_id'] }}]", request)).toBe('[][mongo]');
  });

  it('the dynamic preset renders a JSON event', () => {
    const template = `{"event": "ci.build.{{ body.status | default('unknown') }}",
 "resource": {"prefect.resource.id": "ci.repo.{{ body.repo }}.build.{{ body.build_id }}"},
 "payload": {"delivery": "{{ headers['x-delivery-id'] }}", "tags": {{ body.tags | tojson }}}}`;
    expect(renderJsonTemplate(template, request)).toEqual({
      ok: true,
      value: {
        event: 'ci.build.ok',
        resource: { 'prefect.resource.id': 'ci.repo.herald.build.7' },
        payload: { delivery: '', tags: ['a'] },
      },
    });
  });

  it('pass-through keeps the body object', () => {
    expect(renderJsonTemplate('{{ body | tojson }}', request)).toMatchObject({ ok: true, value: { repo: 'herald', build_id: 7 } });
    expect(renderJsonTemplate('  {{ body }}\n', request)).toMatchObject({ ok: true, value: { repo: 'herald' } });
  });

  it('accepts any plain object as context', () => {
    expect(renderTemplate('{{ a.b }}-{{ c[0] }}', { a: { b: 1 }, c: [true] })).toEqual({ ok: true, text: '1-true' });
  });
});
