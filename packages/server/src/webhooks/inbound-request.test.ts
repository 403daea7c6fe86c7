import { describe, expect, it } from 'vitest';
import { multiMap, parseBody, templateHeaders, webhookContextData } from './inbound-request.js';

describe('webhook request context', () => {
  it('parses JSON, form and text bodies, falling back to the text', () => {
    expect(parseBody('{"a":[1]}', 'application/json; charset=utf-8')).toEqual({ a: [1] });
    expect(parseBody('{"a":1}', 'text/plain')).toEqual({ a: 1 });
    expect(parseBody('{"a":', 'application/json')).toBe('{"a":');
    expect(parseBody('a=1&b=x%20y&a=2', 'application/x-www-form-urlencoded')).toEqual({ a: ['1', '2'], b: 'x y' });
    expect(parseBody('payload=%7B%22x%22%3A1%7D', 'application/x-www-form-urlencoded')).toEqual({ payload: '{"x":1}' });
    expect(parseBody('hello', undefined)).toBe('hello');
    expect(parseBody('', 'application/json')).toBe('');
  });

  it('removes credentials from headers and keeps query values as strings or lists', () => {
    expect(templateHeaders({ authorization: 'Bearer x', cookie: 'c', 'x-a': '1' })).toEqual({ 'x-a': '1' });
    const signed = { 'x-hub-signature-256': 'sha256=ab', 'stripe-signature': 't=1,v1=ab', 'webhook-signature': 'v1,ab', 'webhook-id': 'msg_1' };
    expect(templateHeaders(signed)).toEqual({ 'webhook-id': 'msg_1' });
    expect(multiMap(new URLSearchParams('__proto__=1&a=2'))).toEqual({ ['__proto__']: '1', a: '2' });
    expect(Object.getPrototypeOf(multiMap(new URLSearchParams('__proto__=1')))).toBe(Object.prototype);
    const data = webhookContextData({ method: 'POST', headers: { 'content-type': 'application/json' }, query: 'x=1', body: Buffer.from('[1]'), received: 0 });
    expect(data).toEqual({ method: 'POST', headers: { 'content-type': 'application/json' }, body: [1], query: { x: '1' }, raw_body: '[1]' });
  });
});
