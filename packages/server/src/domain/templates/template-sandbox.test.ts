import { describe, expect, it } from 'vitest';
import {
  buildActionTemplateContext,
  buildWebhookTemplateContext,
  renderJsonTemplate,
  renderTemplate,
  type TemplateContext,
} from './index.js';
import { liliesAutomation, liliesFiring, nibbledEvent } from './template-fixtures.test-support.js';

/**
 * The template-injection suite (issue 4 item 5, spec §5.1): well-known Jinja SSTI payloads and JS
 * prototype walks. Each must fail harmlessly: a render error or harmless text, never a thrown
 * exception, never a function, a host object or the process.
 */

const actionContext = buildActionTemplateContext({
  automation: liliesAutomation(),
  firing: liliesFiring(),
  event: nibbledEvent(),
  uiUrl: 'http://localhost:3000',
});

const webhookContext = buildWebhookTemplateContext({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "a": 1}') as unknown,
  query: {},
  raw_body: '{}',
});

const LEAKS = /function|native code|\[object|process|globalThis|require|import|class |=>|prototype|polluted|env|<module/i;

const PAYLOADS = [
  "{{ ''.__class__.__mro__[1].__subclasses__() }}",
  "{{ ''.__class__.__mro__[2].__subclasses__()[40]('/etc/passwd').read() }}",
  '{{ config }}',
  '{{ config.items() }}',
  '{{ settings.SECRET_KEY }}',
  '{{ self }}',
  '{{ self.__init__.__globals__ }}',
  "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read() }}",
  '{{ cycler.__init__.__globals__.os }}',
  "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
  '{{ joiner.__init__.__globals__ }}',
  '{{ namespace.__init__.__globals__ }}',
  '{{ lipsum.__globals__ }}',
  "{{ lipsum.__globals__['os'].popen('id').read() }}",
  '{{ request.application.__globals__ }}',
  "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
  "{{ url_for.__globals__['current_app'].config }}",
  "{{ get_flashed_messages.__globals__['current_app'] }}",
  "{{ ''.constructor.constructor('return process')() }}",
  "{{ ''.constructor.constructor('return globalThis')().process.env }}",
  "{{ ''['constructor']['constructor']('return process')() }}",
  "{{ ''['con' ~ 'structor'] }}",
  '{{ event.__proto__ }}',
  "{{ event['__proto__'] }}",
  '{{ event.constructor }}',
  '{{ event.related.__proto__ }}',
  '{{ event.related.constructor }}',
  '{{ [].constructor }}',
  "{{ [].constructor.constructor('return process')() }}",
  '{{ {}.constructor }}',
  "{{ {}['__proto__'] }}",
  '{{ (1).constructor }}',
  '{{ true.constructor }}',
  "{{ event|attr('constructor') }}",
  "{{ event|attr('__proto__') }}",
  "{{ ''|attr('constructor')|attr('constructor') }}",
  "{{ x|attr('constructor') }}",
  "{% set x = ''.constructor %}{{ x }}",
  "{% set x = ''.constructor %}{{ x('return process')() }}",
  '{{ range.constructor }}',
  "{{ range.constructor('return process')() }}",
  '{{ namespace.constructor }}',
  "{{ ''.upper.constructor('return process')() }}",
  "{{ ''.upper.call }}{{ ''.upper.apply }}{{ ''.upper.bind }}",
  "{{ ''.split.constructor }}",
  '{{ labels.__dict__ }}{{ labels._labels }}{{ labels.__class__ }}',
  '{{ event.resource.labels.__class__.__init__ }}',
  '{{ body.__proto__ }}{{ body.constructor }}{{ body.__proto__.polluted }}',
  "{{ body['__proto__'] }}{{ body['constructor'] }}",
  '{{ raise_exception("boom") }}',
  "{{ strftime_now('%Y') }}",
  '{{ process }}{{ globalThis }}{{ require }}{{ module }}{{ this }}{{ Function }}{{ eval }}',
  "{{ require('child_process').execSync('id') }}",
  "{{ import('fs') }}",
  '{% set ns = namespace() %}{% set ns.__proto__ = 1 %}{{ ns.__proto__ }}{{ ns }}',
  '{{ kwargs }}{{ varargs }}{{ caller }}{{ loop }}',
  '{% for x in event.related %}{{ loop.__class__ }}{{ loop.constructor }}{% endfor %}',
  '{% filter upper %}{{ "".constructor }}{% endfilter %}',
  '{{ event.related.append(42) }}',
  '{{ event.related.push(42) }}',
  '{{ event.related.pop() }}',
  "{{ event.payload.update({'x': 1}) }}",
  "{{ event.payload.setdefault('x', 1) }}",
  '{{ event.payload.clear() }}',
  '{{ event.related.sort() }}{{ event.related.reverse() }}',
  "{{ '{{ 7 * 7 }}' }}",
  '{{ 9 ** 9 ** 9 }}',
  '{{ range(10 ** 9) }}',
  '{{ range(0, 10 ** 12, 1) }}',
  '{% for i in range(1000) %}{% endfor %}',
  "{{ 'a' * 100000000 }}",
  "{{ 'ab' * 10 ** 12 }}",
  "{{ ('x' * 200000) ~ ('x' * 200000) }}",
  "{{ 'a'.replace('', 'x' * 200000) }}",
  "{{ ('x' * 200000) | replace('x', 'yy') }}",
  "{{ ('x' * 200000) | indent(100) }}",
  "{{ range(100) | join('x' * 100000) }}",
  '{% set ns = namespace(x=[1]) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x }}',
  '{% set ns = namespace(x=[1]) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x | tojson }}',
  '{% set ns = namespace(x=[1]) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x == ns.x }}',
  "{% set ns = namespace(x=[1]) %}{% for i in range(60) %}{% set ns.x = [ns.x, ns.x] %}{% endfor %}{{ ns.x ~ '' }}",
  '{% set ns = namespace(x=[1]) %}{% for i in range(40) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x | length }}',
  '{% set ns = namespace() %}{% set ns.self = ns %}{{ ns }}',
  "{% set ns = namespace(s='x') %}{% for i in range(100) %}{% for j in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{% endfor %}{{ ns.s }}",
  '{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}',
  '{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}',
  '{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}',
  '{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}x{% endif %}{% endmacro %}{{ f(40) }}',
  '{% for a in range(100) %}{% for b in range(100) %}{{ "x" * 100 }}{% endfor %}{% endfor %}',
  "{% extends 'base.html' %}",
  "{% include '/etc/passwd' %}",
  "{% import 'os' as os %}",
  "{% from 'x' import y %}",
  '{% raw %}{{ x }}{% endraw %}',
  '{{ ((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))) }}',
  `{{ ${'['.repeat(5000)}${']'.repeat(5000)} }}`,
  `{{ x${'.a'.repeat(5000)} }}`,
];

function assertHarmless(source: string, context: TemplateContext): void {
  const result = renderTemplate(source, context, { maxMillis: 50, maxOutputBytes: 256 * 1024 });
  if (result.ok) expect(result.text, source).not.toMatch(LEAKS);
  else expect(typeof result.error, source).toBe('string');
  const json = renderJsonTemplate(source, context, { maxMillis: 50, maxOutputBytes: 256 * 1024 });
  if (json.ok) expect(JSON.stringify(json.value), source).not.toMatch(LEAKS);
}

describe('template injection suite', () => {
  it.each(PAYLOADS)('harmless in an action context: %s', (source) => {
    assertHarmless(source, actionContext);
  });

  it.each(PAYLOADS)('harmless in a webhook context: %s', (source) => {
    assertHarmless(source, webhookContext);
  });

  it('leaves no trace on the JS prototypes', () => {
    for (const source of PAYLOADS) renderTemplate(source, webhookContext);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect((globalThis as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('sandbox rules', () => {
  const render = (source: string) => renderTemplate(source, actionContext);

  it('constructor walks and underscore attributes render empty', () => {
    expect(render("[{{ ''.constructor }}][{{ [].constructor }}][{{ event.__proto__ }}][{{ event|attr('constructor') }}]")).toEqual({
      ok: true,
      text: '[][][][]',
    });
    expect(render('[{{ config }}][{{ self.__init__.__globals__ }}][{{ lipsum.__globals__ }}]')).toEqual({ ok: true, text: '[][][]' });
  });

  it('calling through a blocked walk fails the render', () => {
    expect(render("{{ ''.constructor.constructor('return process')() }}")).toMatchObject({ ok: false });
    expect(render("{{ cycler.__init__.__globals__.os.popen('id').read() }}")).toMatchObject({ ok: false });
  });

  it('mutation methods fail with a security error', () => {
    for (const source of ['{{ event.related.append(42) }}', '{{ event.related.pop() }}', "{{ event.payload.update({'a': 1}) }}"]) {
      const result = render(source);
      expect(result.ok, source).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/SecurityError/);
    }
  });

  it('string repetition and concatenation are checked before they are built', () => {
    const result = render("{{ 'a' * 100000000 }}");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/size budget/);
    expect(render("{{ '-' * 5 }}")).toEqual({ ok: true, text: '-----' });
  });

  it('deep macro recursion fails cleanly', () => {
    const result = render('{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/nests too deeply/);
  });

  it('an exponential template is stopped by the time budget', () => {
    const result = renderTemplate(
      '{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}',
      actionContext,
      { maxMillis: 20, maxOutputBytes: 1024 },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/time budget/);
  });

  it('a huge loop over context data is stopped by the time budget', () => {
    const big = buildWebhookTemplateContext({ method: 'POST', headers: {}, body: 'a,'.repeat(100_000), query: {}, raw_body: '' });
    const result = renderTemplate("{% for x in body.split(',') %}{% for y in body.split(',') %}{% endfor %}{% endfor %}", big, {
      maxMillis: 30,
      maxOutputBytes: 1024,
    });
    expect(result).toMatchObject({ ok: false });
  });

  it('the output budget is enforced while rendering', () => {
    const result = renderTemplate(
      '{% for a in range(100) %}{% for b in range(100) %}{{ "x" * 100 }}{% endfor %}{% endfor %}',
      actionContext,
      {
        maxMillis: 1000,
        maxOutputBytes: 10_000,
      },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/size budget/);
    expect(renderTemplate('{{ "é" * 4000 }}', actionContext, { maxMillis: 1000, maxOutputBytes: 5000 })).toMatchObject({ ok: false });
  });

  it('a deeply nested request body never makes context building throw', () => {
    let body: unknown = 'deep';
    for (let i = 0; i < 100_000; i++) body = [body];
    const context = buildWebhookTemplateContext({ method: 'POST', headers: {}, body, query: {}, raw_body: '' });
    expect(renderTemplate('{{ body[0][0][0] | length }}', context)).toEqual({ ok: true, text: '1' });
    expect(renderTemplate('{{ body }}', context)).toMatchObject({ ok: false });
  });

  it('undefined is chainable but arithmetic on it fails', () => {
    expect(render('[{{ nope }}][{{ nope.a.b.c }}][{{ nope[0] }}][{{ nope["x"].y }}][{{ event.nope.deeper }}]')).toEqual({
      ok: true,
      text: '[][][][][]',
    });
    expect(render('{{ nope + 1 }}')).toMatchObject({ ok: false });
  });
});
