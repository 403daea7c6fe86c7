import { describe, expect, it } from 'vitest';
import { TEMPLATE_OPTIONS, renderJsonTemplate, renderTemplate, validateTemplate } from './index.js';

const ctx = { n: 1, f: 1.5, s: 'text', t: true, z: null, list: [1, 'a', null], obj: { a: 1, b: [true] }, nested: { k: "é<>&'" } };

function text(source: string, context: Record<string, unknown> = ctx): string {
  const result = renderTemplate(source, context);
  if (!result.ok) throw new Error(result.error);
  return result.text;
}

describe('renderTemplate', () => {
  it('returns text without {{ or {% verbatim', () => {
    expect(renderTemplate('plain {# not a comment here #} } text', ctx)).toEqual({
      ok: true,
      text: 'plain {# not a comment here #} } text',
    });
    expect(renderTemplate('{"a": {"b": 1}}', ctx)).toEqual({ ok: true, text: '{"a": {"b": 1}}' });
    expect(renderTemplate('', ctx)).toEqual({ ok: true, text: '' });
  });

  it('prints values as JSON, not Python reprs (DECISIONS 15)', () => {
    expect(text('{{ t }} {{ z }} {{ n }} {{ f }} {{ s }}')).toBe('true null 1 1.5 text');
    expect(text('{{ obj }}')).toBe('{"a": 1, "b": [true]}');
    expect(text('{{ list }}')).toBe('[1, "a", null]');
    expect(text('{{ none }}|{{ None }}|{{ True }}|{{ false }}')).toBe('null|null|true|false');
    expect(text('{{ missing }}')).toBe('');
    expect(text("{{ {'x': none} }}")).toBe('{"x": null}');
  });

  it('supports the usual Jinja constructs', () => {
    expect(text('{% if n > 0 %}pos{% else %}neg{% endif %}')).toBe('pos');
    expect(text('{% for x in list %}{{ loop.index }}:{{ x }};{% endfor %}')).toBe('1:1;2:a;3:null;');
    expect(text('{% for k, v in obj.items() %}{{ k }}={{ v }} {% endfor %}')).toBe('a=1 b=[true] ');
    expect(text("{% set greeting = 'hi' %}{{ greeting ~ ' ' ~ s|upper }}")).toBe('hi TEXT');
    expect(text('{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}{{ twice(s) }}')).toBe('texttext');
    expect(text("{{ s | default('d') }}|{{ missing | default('d') }}|{{ missing | d('e') }}|{{ '' | default('f', true) }}")).toBe(
      'text|d|e|f',
    );
    expect(text("{{ list | length }} {{ [3, 1, 2] | sort | join(',') }} {{ 'a,b' .split(',') | last }}")).toBe('3 1,2,3 b');
    expect(text("{{ '{:>3}'.replace('{:>3}', 'x') }} {{ 'abc'[1:] }} {{ s[0] }}")).toBe('x bc t');
    expect(text("{{ obj | attr('a') }} {{ 'x' ~ n }} {{ n + f }} {{ '-' * 3 }}")).toBe('1 x1 2.5 ---');
    expect(text('{{ list == [1, "a", none] }} {{ obj != {"a": 1} }} {{ 1 == true }}')).toBe('true true true');
    expect(text('{{ \'[1, {"a": 2}]\' | fromjson | last }}')).toBe('{"a": 2}');
    expect(text('{{ obj | string }}|{{ obj | list }}|{{ s | list | length }}')).toBe('{"a": 1, "b": [true]}|["a", "b"]|4');
    expect(text("{{ 'a\\nb' | indent(2, true) }}")).toBe('  a\n  b');
    expect(text("{{ 'aaa' | replace('a', 'b', 2) }}")).toBe('bba');
  });

  it('strips one trailing newline, like Jinja', () => {
    expect(text('{{ n }}\n')).toBe('1');
  });

  it('tojson sorts keys, uses spaced separators and escapes non-ASCII and HTML characters (spec §5.3)', () => {
    expect(text("{{ {'b': 1, 'a': [1, 2]} | tojson }}")).toBe('{"a": [1, 2], "b": 1}');
    expect(text('{{ nested | tojson }}')).toBe('{"k": "\\u00e9\\u003c\\u003e\\u0026\\u0027"}');
    expect(text("{{ {'b': 1, 'a': {}} | tojson(indent=2) }}")).toBe('{\n  "a": {},\n  "b": 1\n}');
    expect(text('{{ missing | tojson }}')).toBe('""');
    expect(JSON.parse(text('{{ nested | tojson }}'))).toEqual(ctx.nested);
  });

  it('humanize filters', () => {
    expect(text('{{ 3600 | humanize_naturaldelta }}|{{ 1234567 | humanize_intcomma }}|{{ 3000000 | humanize_naturalsize }}')).toBe(
      'an hour|1,234,567|3.0 MB',
    );
    expect(
      text(
        '{{ 3 | humanize_ordinal }}|{{ 1200000 | humanize_intword }}|{{ 4 | humanize_apnumber }}|{{ 3000 | humanize_naturalsize(true) }}',
      ),
    ).toBe('3rd|1.2 million|four|2.9 KiB');
    const now = Date.parse('2026-11-22T10:00:00Z');
    const rendered = renderTemplate('{{ at | humanize_naturaltime }}|{{ 90 | humanize_naturaltime }}', {
      at: '2026-11-22T09:58:00Z',
      [TEMPLATE_OPTIONS]: { uiUrl: null, now: () => now },
    });
    expect(rendered).toEqual({ ok: true, text: '2 minutes ago|a minute ago' });
  });

  it('fails cleanly on runtime errors', () => {
    expect(renderTemplate('{{ missing + 1 }}', ctx)).toMatchObject({ ok: false });
    expect(renderTemplate('{{ s + 1 }}', ctx)).toMatchObject({ ok: false });
    expect(renderTemplate('{{ 1 | humanize_naturalsize("x") }}', ctx)).toMatchObject({ ok: true });
    expect(renderTemplate("{{ 'x' | humanize_ordinal }}", ctx)).toMatchObject({ ok: false });
  });

  it('renders the same source many times from the cache with different contexts', () => {
    for (let i = 0; i < 50; i++) expect(text('{{ v }}', { v: i })).toBe(String(i));
  });
});

describe('renderJsonTemplate (DECISIONS 15: typed output)', () => {
  it('a sole {{ expr }} keeps its type', () => {
    expect(renderJsonTemplate('{{ n }}', ctx)).toEqual({ ok: true, value: 1 });
    expect(renderJsonTemplate('{{ t }}', ctx)).toEqual({ ok: true, value: true });
    expect(renderJsonTemplate('{{ z }}', ctx)).toEqual({ ok: true, value: null });
    expect(renderJsonTemplate(' {{ obj }} ', ctx)).toEqual({ ok: true, value: { a: 1, b: [true] } });
    expect(renderJsonTemplate('{{ list }}', ctx)).toEqual({ ok: true, value: [1, 'a', null] });
    expect(renderJsonTemplate('{{ n + 1 }}', ctx)).toEqual({ ok: true, value: 2 });
  });

  it('a sole string expression is parsed as JSON text', () => {
    expect(renderJsonTemplate('{{ obj | tojson }}', ctx)).toEqual({ ok: true, value: { a: 1, b: [true] } });
    expect(renderJsonTemplate("{{ '[1, 2]' }}", ctx)).toEqual({ ok: true, value: [1, 2] });
    const result = renderJsonTemplate('{{ s }}', ctx);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/not valid JSON/);
  });

  it('an undefined sole expression is an error', () => {
    const result = renderJsonTemplate('{{ missing }}', ctx);
    expect(result).toEqual({ ok: false, error: 'the expression is undefined' });
  });

  it('other templates render to text and parse', () => {
    expect(renderJsonTemplate('{"n": {{ n }}, "s": "{{ s }}", "o": {{ obj | tojson }}}', ctx)).toEqual({
      ok: true,
      value: { n: 1, s: 'text', o: { a: 1, b: [true] } },
    });
    expect(renderJsonTemplate('{"plain": true}', ctx)).toEqual({ ok: true, value: { plain: true } });
  });

  it('names the problem when the text is not JSON', () => {
    const result = renderJsonTemplate('{"s": {{ s }}}', ctx);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(/^the rendered text is not valid JSON/);
      expect(result.error).toContain('{"s": text}');
    }
    expect(renderJsonTemplate('not json', ctx)).toMatchObject({ ok: false });
  });

  it('a __proto__ key stays data', () => {
    const result = renderJsonTemplate('{{ o }}', { o: JSON.parse('{"__proto__": {"x": 1}}') as unknown });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(Object.keys(result.value as object)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    }
  });
});

describe('validateTemplate', () => {
  it('accepts valid templates and plain text', () => {
    expect(validateTemplate('')).toEqual({ ok: true });
    expect(validateTemplate('no template here')).toEqual({ ok: true });
    expect(validateTemplate('{% for a in x %}{% for b in a %}{{ b }}{% endfor %}{% endfor %}')).toEqual({ ok: true });
  });

  it("reports Jinja2's lexer message and line for the spec's example (§1.5)", () => {
    expect(validateTemplate("1 - {{ hello }} world!\n2 - oops, this {{ ain't } gonna work\n3 - this is fine")).toEqual({
      ok: false,
      line: 2,
      message: 'unexpected char "\'" at 44',
    });
    expect(validateTemplate('a\n{{ x $ y }}')).toEqual({ ok: false, line: 2, message: "unexpected char '$' at 7" });
  });

  it('reports unbalanced and unknown tags with the line', () => {
    expect(validateTemplate('{{ x }')).toEqual({ ok: false, line: 1, message: "unexpected '}'" });
    expect(validateTemplate('one\n{% for x in y %}\ntwo')).toEqual({
      ok: false,
      line: 3,
      message:
        "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.",
    });
    expect(validateTemplate('a\n{% endif %}')).toEqual({ ok: false, line: 2, message: "Encountered unknown tag 'endif'." });
    expect(validateTemplate('{% frobnicate %}')).toMatchObject({ ok: false, line: 1, message: "Encountered unknown tag 'frobnicate'." });
    expect(validateTemplate('{% for x in y %}\n{% endif %}{% endfor %}')).toMatchObject({ ok: false, line: 2 });
    expect(validateTemplate('{{ x ')).toMatchObject({
      ok: false,
      message: "unexpected end of template, expected 'end of print statement'.",
    });
    expect(validateTemplate('{{ a }}\nb\n{# open')).toEqual({ ok: false, line: 3, message: 'Missing end of comment tag' });
  });

  it('reports parser errors at the line of the tag', () => {
    const result = validateTemplate('fine {{ a }}\n\n{{ a b }}');
    expect(result).toMatchObject({ ok: false, line: 3 });
    expect(validateTemplate('{% if %}{% endif %}')).toMatchObject({ ok: false, line: 1 });
    expect(validateTemplate("{% extends 'base.html' %}")).toMatchObject({ ok: false, line: 1 });
  });

  it("enforces Prefect's loop limits with Prefect's messages at line 0", () => {
    const nested = '{% for a in x %}{% for b in a %}{% for c in b %}{% endfor %}{% endfor %}{% endfor %}';
    expect(validateTemplate(nested)).toEqual({
      ok: false,
      line: 0,
      message: 'Contains nested for loops at a depth of 3. Templates can nest for loops no more than 2 loops deep.',
    });
    const eleven = '{% for a in x %}{% endfor %}'.repeat(11);
    expect(validateTemplate(eleven)).toEqual({
      ok: false,
      line: 0,
      message: 'Contains 11 for loops. Templates can contain no more than 10 for loops.',
    });
    expect(validateTemplate('{% for a in x %}{% endfor %}'.repeat(10))).toEqual({ ok: true });
    const inMacro =
      '{% macro m() %}{% for a in x %}{% if a %}{% for b in a %}{% for c in b %}{% endfor %}{% endfor %}{% endif %}{% endfor %}{% endmacro %}';
    expect(validateTemplate(inMacro)).toMatchObject({ ok: false, line: 0 });
    expect(renderTemplate(nested, { x: [] })).toMatchObject({ ok: false });
  });
});
