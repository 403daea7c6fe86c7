import { describe, expect, it } from 'vitest';
import { connectionBody } from './connection-form.js';

describe('connectionBody', () => {
  it('sends the settings and only the secrets that were typed', () => {
    const result = connectionBody({ kind: 'webhook', name: ' ops hook ', settingsText: '{"method": "PUT"}', secrets: { url: ' https://example.com/x ', headers: '', signing_secret: '' } });
    expect(result).toEqual({ ok: true, body: { kind: 'webhook', name: 'ops hook', settings: { method: 'PUT' }, secrets: { url: 'https://example.com/x' } } });
  });

  it('says what is missing or malformed', () => {
    expect(connectionBody({ kind: 'slack', name: 'ops', settingsText: '{}', secrets: {} })).toEqual({ ok: false, message: 'The Incoming webhook URL is required.' });
    expect(connectionBody({ kind: 'slack', name: '', settingsText: '{}', secrets: { url: 'https://x' } })).toEqual({ ok: false, message: 'A name is required.' });
    expect(connectionBody({ kind: 'email', name: 'mail', settingsText: '[1]', secrets: {} })).toEqual({ ok: false, message: 'Settings must be a JSON object.' });
    const broken = connectionBody({ kind: 'email', name: 'mail', settingsText: '{host', secrets: {} });
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.message).toMatch(/^Settings are not JSON/);
  });

  it('treats empty settings text as no settings', () => {
    expect(connectionBody({ kind: 'email', name: 'mail', settingsText: '', secrets: { password: 'pw' } })).toEqual({ ok: true, body: { kind: 'email', name: 'mail', settings: {}, secrets: { password: 'pw' } } });
  });
});
