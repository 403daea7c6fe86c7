import { describe, expect, it } from 'vitest';
import { parseConnectionCreate, parseConnectionPatch, validateConnectionContent } from './connection-validation.js';

const url = 'https://example.com/hook';
const paths = (result: ReturnType<typeof parseConnectionCreate>) => (result.ok ? [] : result.issues.map((i) => i.path.join('.')));

describe('parseConnectionCreate', () => {
  it('fills webhook defaults and upper-cases the method', () => {
    expect(parseConnectionCreate({ name: 'h', kind: 'webhook', secrets: { url } })).toEqual({
      ok: true,
      value: { name: 'h', kind: 'webhook', settings: { method: 'POST', allow_private_network: false }, secrets: { url } },
    });
    const patched = parseConnectionCreate({
      name: 'h',
      kind: 'webhook',
      settings: { method: 'delete', allow_private_network: true },
      secrets: { url },
    });
    expect(patched.ok && patched.value.settings).toEqual({ method: 'DELETE', allow_private_network: true });
  });

  it('checks Standard Webhooks signing secrets: whsec_ and 24 to 64 bytes of base64', () => {
    const secret = (bytes: number) => 'whsec_' + Buffer.alloc(bytes, 1).toString('base64');
    const create = (signing: string) => parseConnectionCreate({ name: 'h', kind: 'webhook', secrets: { url, signing_secret: signing } });
    expect(create(secret(24)).ok).toBe(true);
    expect(create(secret(64)).ok).toBe(true);
    expect(paths(create(secret(23)))).toEqual(['secrets.signing_secret']);
    expect(paths(create(secret(65)))).toEqual(['secrets.signing_secret']);
    expect(paths(create(Buffer.alloc(32, 1).toString('base64')))).toEqual(['secrets.signing_secret']);
  });

  it('accepts headers only as a JSON object of strings, as text', () => {
    const create = (headers: string) => parseConnectionCreate({ name: 'h', kind: 'webhook', secrets: { url, headers } });
    expect(create('{"x-token": "t"}').ok).toBe(true);
    expect(paths(create('{"x-token": 1}'))).toEqual(['secrets.headers']);
    expect(paths(create('["x"]'))).toEqual(['secrets.headers']);
    expect(paths(create('not json'))).toEqual(['secrets.headers']);
  });

  it('refuses bodies that are not objects, and empty secrets', () => {
    expect(paths(parseConnectionCreate([]))).toEqual(['']);
    expect(paths(parseConnectionCreate({ name: 'h', kind: 'slack', secrets: { url: '' } }))).toEqual(['secrets.url']);
    expect(paths(parseConnectionCreate({ name: 'h', kind: 'slack', secrets: [] }))).toEqual(['secrets']);
  });
});

describe('parseConnectionPatch', () => {
  it('keeps null secrets (removals) and refuses the kind', () => {
    expect(parseConnectionPatch({ secrets: { headers: null, url } })).toEqual({ ok: true, value: { secrets: { headers: null, url } } });
    const refused = parseConnectionPatch({ kind: 'slack', settings: 3 });
    expect(refused.ok ? [] : refused.issues.map((i) => i.path.join('.'))).toEqual(['kind', 'settings']);
  });
});

describe('validateConnectionContent', () => {
  it('checks the email kind, whose settings come back normalised', () => {
    const result = validateConnectionContent({
      name: 'm',
      kind: 'email',
      settings: { host: ' smtp.acme.test ', port: 587, from: 'a@acme.test', to: ['b@acme.test'] },
      secrets: {},
    });
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'm',
        kind: 'email',
        settings: { host: 'smtp.acme.test', port: 587, secure: false, from: 'a@acme.test', to: ['b@acme.test'] },
        secrets: {},
      },
    });
  });
});
