import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderJsonTemplate, renderTemplate } from './index.js';
import { jsonValue } from './json-data-values.js';
import { toRuntimeValue } from './template-values.js';

/** Templates that read JSON data every way a template can: print, tojson, lookups, loops, tests, builtins. */
const TEMPLATES = [
  '{{ v | tojson }}',
  '{{ v | tojson(2) }}',
  '{{ v }}',
  '{{ v | length }}',
  '{% if v %}truthy{% else %}falsy{% endif %}',
  '{% for item in v %}[{{ item }}]{% endfor %}',
  '{{ v.a }}|{{ v["b"] | tojson }}|{{ v[0] }}|{{ v[1] | tojson }}',
  // A member read first, then the whole value: the cached member must not change the key order.
  '{{ v.b }}{% for key in v %}{{ key }},{% endfor %}{{ v | tojson }}',
  '{% if v is mapping %}{{ v.items() | list | tojson }}{{ v.keys() | list }}{{ "a" in v }}{{ v.get("a", "none") }}{% endif %}',
  '{% if v is sequence and v is not string %}{{ v | first }}{{ v | last | tojson }}{{ v | join(",") }}{% endif %}',
  '{{ v.a.a | tojson }}{{ v[0][0] }}{{ v.__proto__ | tojson }}{{ v["__proto__"] }}{{ v.constructor }}',
];

function render(template: string, value: unknown): unknown {
  return renderTemplate(template, { v: value });
}

describe('lazily wrapped JSON data renders exactly as converted data', () => {
  it.each(TEMPLATES)('%s', (template) => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (data) => {
        expect(render(template, jsonValue(data))).toEqual(render(template, toRuntimeValue(data)));
      }),
      { numRuns: 150 },
    );
  });

  it('a sole {{ v }} gives the same typed value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (data) => {
        expect(renderJsonTemplate('{{ v }}', { v: jsonValue(data) })).toEqual(renderJsonTemplate('{{ v }}', { v: toRuntimeValue(data) }));
      }),
      { numRuns: 150 },
    );
  });

  it('data nested past the serialisation and context limits fails or cuts off the same way', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 230; i++) deep = i % 2 === 0 ? [deep] : { a: deep };
    const lazy = jsonValue(deep);
    const eager = toRuntimeValue(deep);
    const tooDeep = render('{{ v | tojson }}', lazy);
    expect(tooDeep).toEqual({ ok: false, error: 'value is nested too deeply to serialise' });
    expect(render('{{ v | tojson }}', eager)).toEqual(tooDeep);
    // 150 levels down, the data below depth 200 is undefined, and prints as null.
    const walk = `{{ v${'.a[0]'.repeat(75)} | tojson }}`;
    const cut = render(walk, lazy);
    expect(cut).toMatchObject({ ok: true });
    expect(cut).toEqual(render(walk, eager));
    expect((cut as { text: string }).text).toContain('null');
  });
});
