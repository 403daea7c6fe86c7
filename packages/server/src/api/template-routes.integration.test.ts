import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAutomationApiHarness, type AutomationApiHarness } from '../test-support/automation-api-harness.js';

const BAD = "1 - {{ hello }} world!\n2 - oops, this {{ ain't } gonna work\n3 - this is fine";
const DEEP = '{% for a in x %}{% for b in a %}{% for c in b %}{{ c }}{% endfor %}{% endfor %}{% endfor %}';
const MANY = '{% for a in x %}{% endfor %}'.repeat(11);

describe.each(['/api/templates/validate', '/api/automations/templates/validate'])('POST %s (S95)', (url) => {
  let h: AutomationApiHarness;

  beforeAll(async () => {
    h = await startAutomationApiHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const send = (payload: string, contentType = 'text/plain') =>
    h.request({ method: 'POST', url, payload, headers: { 'content-type': contentType } });

  it('answers 204 with an empty body for a good template, as text or as a JSON string', async () => {
    for (const res of [
      await send('Hello {{ event.id }}!'),
      await send(JSON.stringify('{% if x %}{{ x }}{% endif %}'), 'application/json'),
    ]) {
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
    }
  });

  it('accepts an empty body', async () => {
    expect((await send('')).statusCode).toBe(204);
    expect((await h.request({ method: 'POST', url })).statusCode).toBe(204);
  });

  it('takes any non-JSON content type as the template text', async () => {
    expect((await send('{{ x }}', 'application/x-www-form-urlencoded')).statusCode).toBe(204);
  });

  it('answers 422 with the line, the message and the source for a syntax error', async () => {
    const res = await send(BAD);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ error: { line: 2, message: 'unexpected char "\'" at 44', source: BAD } });
  });

  it('answers 422 with line 0 for loop-limit errors', async () => {
    expect((await send(DEEP)).json()).toEqual({
      error: {
        line: 0,
        message: 'Contains nested for loops at a depth of 3. Templates can nest for loops no more than 2 loops deep.',
        source: DEEP,
      },
    });
    expect((await send(MANY)).json()).toEqual({
      error: { line: 0, message: 'Contains 11 for loops. Templates can contain no more than 10 for loops.', source: MANY },
    });
  });

  it('answers 422 for JSON that is not a string, never 500', async () => {
    const res = await send(JSON.stringify({ template: '{{ x }}' }), 'application/json');
    expect(res.statusCode).toBe(422);
    expect(res.json().error.line).toBe(0);
  });

  it('never answers 500, whatever the text', async () => {
    const piece = fc.constantFrom('{{', '}}', '{%', '%}', 'for', 'in', 'if', 'endif', 'endfor', 'x', ' ', '|', '(', ')', "'", '"', '.', '\n', '{#', '#}', 'set', '=');
    const text = fc.oneof(fc.string(), fc.array(piece, { maxLength: 30 }).map((parts) => parts.join('')));
    await fc.assert(
      fc.asyncProperty(text, async (source) => {
        const res = await send(source);
        expect([204, 422], `${JSON.stringify(source)} → ${res.body}`).toContain(res.statusCode);
      }),
      { numRuns: 300 },
    );
  });

  it('requires an API key', async () => {
    expect((await h.app.inject({ method: 'POST', url, payload: 'x', headers: { 'content-type': 'text/plain' } })).statusCode).toBe(401);
  });
});
