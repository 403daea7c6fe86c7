import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isUuid } from '@herald/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAutomationApiHarness, type AutomationApiHarness } from '../test-support/automation-api-harness.js';

const URL_SECRET = 'https://hooks.example.com/T000/B000/s3cr3t-url-token-4f1d';
const HEADER_SECRET = 'Bearer tok-9a8b7c6d5e4f';
const SIGNING_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const PASSWORD = 'hunter2-very-secret-password';

interface Connection {
  id: string;
  name: string;
  kind: string;
  settings: Record<string, unknown>;
  secrets: string[];
  created: string;
  updated: string;
}

describe('connection routes', () => {
  let h: AutomationApiHarness;

  beforeEach(async () => {
    h = await startAutomationApiHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  async function createWebhook(): Promise<Connection> {
    const res = await h.request({
      method: 'POST',
      url: '/api/connections',
      payload: {
        name: 'ops hook',
        kind: 'webhook',
        settings: { method: 'put' },
        secrets: { url: URL_SECRET, headers: JSON.stringify({ authorization: HEADER_SECRET }), signing_secret: SIGNING_SECRET },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Connection>();
  }

  it('creates a connection and answers with the names of its secrets only', async () => {
    const created = await createWebhook();
    expect(isUuid(created.id)).toBe(true);
    expect(created).toMatchObject({
      name: 'ops hook',
      kind: 'webhook',
      settings: { method: 'PUT', allow_private_network: false },
      secrets: ['headers', 'signing_secret', 'url'],
    });
    const read = await h.request({ method: 'GET', url: `/api/connections/${created.id}` });
    expect(read.json()).toEqual(created);
    const list = await h.request({ method: 'GET', url: '/api/connections/' });
    expect(list.json()).toEqual([created]);
    for (const body of [read.body, list.body]) {
      expect(body).not.toContain('s3cr3t');
      expect(body).not.toContain('tok-9a8b');
    }
  });

  it('resolves a connection with its secrets decrypted, for the actions', async () => {
    const created = await createWebhook();
    expect(await h.services.connections.resolve(created.id)).toEqual({
      id: created.id,
      name: 'ops hook',
      kind: 'webhook',
      settings: { method: 'PUT', allow_private_network: false },
      secrets: { url: URL_SECRET, headers: JSON.stringify({ authorization: HEADER_SECRET }), signing_secret: SIGNING_SECRET },
    });
    expect(await h.services.connections.resolve('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('never stores a secret in plain text in the database files', async () => {
    await createWebhook();
    await h.request({
      method: 'POST',
      url: '/api/connections',
      payload: {
        name: 'mail',
        kind: 'email',
        settings: { host: 'smtp.acme.test', port: 587, from: 'herald@acme.test', to: ['ops@acme.test'] },
        secrets: { username: 'herald', password: PASSWORD },
      },
    });
    const files = readdirSync(h.dataDir).filter((name) => name.startsWith('herald.db'));
    expect(files).toContain('herald.db');
    const bytes = Buffer.concat(files.map((name) => readFileSync(join(h.dataDir, name))));
    expect(bytes.includes('smtp.acme.test')).toBe(true); // settings are stored, so the search does find plain text
    for (const secret of ['s3cr3t-url-token', 'tok-9a8b7c6d5e4f', SIGNING_SECRET, PASSWORD]) expect(bytes.includes(secret)).toBe(false);
  });

  it('patches: settings replace, secrets merge, null removes a secret; the kind cannot change', async () => {
    const created = await createWebhook();
    const res = await h.request({
      method: 'PATCH',
      url: `/api/connections/${created.id}`,
      payload: {
        name: 'renamed',
        settings: { method: 'POST', allow_private_network: true },
        secrets: { headers: null, signing_secret: null },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'renamed',
      settings: { method: 'POST', allow_private_network: true },
      secrets: ['url'],
      created: created.created,
    });
    expect((await h.services.connections.resolve(created.id))!.secrets).toEqual({ url: URL_SECRET });
    const kind = await h.request({ method: 'PATCH', url: `/api/connections/${created.id}`, payload: { kind: 'slack' } });
    expect(kind.statusCode).toBe(422);
    expect(kind.json()).toMatchObject({
      code: 'CONNECTION_INVALID',
      details: { issues: [expect.objectContaining({ path: ['kind'], type: 'extra_forbidden' })] },
    });
    const noUrl = await h.request({ method: 'PATCH', url: `/api/connections/${created.id}`, payload: { secrets: { url: null } } });
    expect(noUrl.statusCode).toBe(422);
    expect(noUrl.json().details.issues).toEqual([expect.objectContaining({ path: ['secrets', 'url'], type: 'missing' })]);
  });

  it('validates each kind without echoing secret values', async () => {
    const bad = async (payload: object) => {
      const res = await h.request({ method: 'POST', url: '/api/connections', payload });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.body).not.toContain('s3cr3t');
      return (res.json().details.issues as { path: unknown[] }[]).map((i) => i.path.join('.'));
    };
    expect(await bad({ name: 'x', kind: 'pager' })).toEqual(['kind']);
    expect(await bad({ kind: 'slack', secrets: { url: URL_SECRET } })).toEqual(['name']);
    expect(await bad({ name: 'x', kind: 'slack', secrets: {} })).toEqual(['secrets.url']);
    expect(await bad({ name: 'x', kind: 'discord', secrets: { url: 'ftp://s3cr3t.example' } })).toEqual(['secrets.url']);
    expect(await bad({ name: 'x', kind: 'slack', settings: { method: 'POST' }, secrets: { url: URL_SECRET } })).toEqual([
      'settings.method',
    ]);
    expect(
      await bad({
        name: 'x',
        kind: 'webhook',
        settings: { method: 'TRACE' },
        secrets: { url: URL_SECRET, headers: 's3cr3t', signing_secret: 's3cr3t' },
      }),
    ).toEqual(['settings.method', 'secrets.headers', 'secrets.signing_secret']);
    expect(
      await bad({ name: 'x', kind: 'email', settings: { host: '', port: 0, from: 'nobody', to: [] }, secrets: { token: 's3cr3t' } }),
    ).toEqual(['settings.host', 'settings.port', 'settings.from', 'settings.to', 'secrets.token']);
    expect(await bad({ name: 'x', kind: 'slack', secrets: { url: 42 } })).toEqual(['secrets.url']);
    expect(await bad({ name: 'x', kind: 'slack', secrets: { url: URL_SECRET }, extra: true })).toEqual(['extra']);
  });

  it('fills email defaults: secure follows port 465', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/api/connections',
      payload: {
        name: 'mail',
        kind: 'email',
        settings: { host: 'smtp.acme.test', port: 465, from: 'Herald <herald@acme.test>', to: 'ops@acme.test' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      settings: { host: 'smtp.acme.test', port: 465, secure: true, from: 'Herald <herald@acme.test>', to: ['ops@acme.test'] },
      secrets: [],
    });
  });

  it('answers 404 for unknown and non-UUID ids, and deletes with 204', async () => {
    const created = await createWebhook();
    expect((await h.request({ method: 'GET', url: '/api/connections/nope' })).statusCode).toBe(404);
    const missing = await h.request({
      method: 'PATCH',
      url: '/api/connections/00000000-0000-4000-8000-000000000000',
      payload: { name: 'x' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('CONNECTION_NOT_FOUND');
    expect((await h.request({ method: 'DELETE', url: `/api/connections/${created.id}` })).statusCode).toBe(204);
    expect((await h.request({ method: 'DELETE', url: `/api/connections/${created.id}` })).statusCode).toBe(404);
    expect((await h.request({ method: 'GET', url: '/api/connections' })).json()).toEqual([]);
  });

  it('writes no secret to the logs, even when a request fails', async () => {
    await createWebhook();
    await h.request({
      method: 'POST',
      url: '/api/connections',
      payload: { name: 'x', kind: 'webhook', settings: { method: 'NOPE' }, secrets: { url: URL_SECRET } },
    });
    const log = h.logLines.join('\n');
    expect(log).not.toContain('s3cr3t');
    expect(log).not.toContain('tok-9a8b');
  });
});
