import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendSafeHttpRequest } from './safe-http.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

const allow = { allowPrivateNetworks: true, timeoutMs: 5000 };
const deny = { allowPrivateNetworks: false, timeoutMs: 5000 };
const post = (url: string, body = '') => ({ url, method: 'POST', headers: { 'x-test': 'yes' }, body });

let receiver: TestReceiver;
beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('sendSafeHttpRequest', () => {
  it('sends the method, headers and verbatim body, and returns the answer', async () => {
    receiver.respond((_req, res) => res.writeHead(201, { 'x-answer': '42' }).end('created'));
    const result = await sendSafeHttpRequest(post(`${receiver.url}/hook?q=1`, 'raw {body}'), allow);
    expect(result).toMatchObject({ ok: true, status: 201, body: 'created', omittedBytes: 0 });
    expect(result.ok && result.headers['x-answer']).toBe('42');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', url: '/hook?q=1', body: 'raw {body}' });
    expect(receiver.requests[0]!.headers['x-test']).toBe('yes');
  });

  it('refuses the same loopback URL when private networks are not allowed, sending nothing', async () => {
    const result = await sendSafeHttpRequest(post(`${receiver.url}/hook`), deny);
    expect(result).toMatchObject({ ok: false, kind: 'refused' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a host name that resolves to loopback, and connects to it when allowed with its Host header', async () => {
    const url = `http://localhost:${receiver.port}/named`;
    expect(await sendSafeHttpRequest(post(url), deny)).toMatchObject({ ok: false, kind: 'refused' });
    // localhost may resolve to ::1 before 127.0.0.1; the pinned addresses are tried in turn.
    expect(await sendSafeHttpRequest(post(url), allow)).toMatchObject({ ok: true, status: 200 });
    expect(receiver.requests[0]!.headers.host).toBe(`localhost:${receiver.port}`);
  });

  it('refuses IPv4-mapped IPv6 loopback when private networks are not allowed', async () => {
    expect(await sendSafeHttpRequest(post(`http://[::ffff:127.0.0.1]:${receiver.port}/`), deny)).toMatchObject({
      ok: false,
      kind: 'refused',
    });
    expect(await sendSafeHttpRequest(post(`http://[::ffff:7f00:1]:${receiver.port}/`), deny)).toMatchObject({ ok: false, kind: 'refused' });
    expect(receiver.requests).toHaveLength(0);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://100.100.100.200/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://169.254.1.1/',
    'http://[fe80::1]/',
  ])('always refuses %s, even with private networks allowed', async (url) => {
    expect(await sendSafeHttpRequest(post(url), allow)).toMatchObject({ ok: false, kind: 'refused' });
  });

  it.each(['http://10.0.0.1/', 'http://192.168.0.10/', 'http://172.16.3.4/', 'http://0.0.0.0/', 'http://[::1]/', 'http://[fc00::1]/'])(
    'refuses the private address %s by default',
    async (url) => {
      expect(await sendSafeHttpRequest(post(url), deny)).toMatchObject({ ok: false, kind: 'refused' });
    },
  );

  it('does not follow redirects', async () => {
    receiver.respond((req, res) => {
      if (req.url === '/start') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.writeHead(200).end('followed');
    });
    const result = await sendSafeHttpRequest(post(`${receiver.url}/start`), allow);
    expect(result).toMatchObject({ ok: true, status: 302 });
    expect(receiver.requests.map((r) => r.url)).toEqual(['/start']);
  });

  it('gives up after the timeout', async () => {
    receiver.respond(() => {
      // never answers
    });
    const result = await sendSafeHttpRequest(post(`${receiver.url}/slow`), { allowPrivateNetworks: true, timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it('reports a refused connection as a network error', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await sendSafeHttpRequest(post(`http://127.0.0.1:${port}/`), allow)).toMatchObject({ ok: false, kind: 'network' });
  });

  it('keeps the head and tail of a very large body', async () => {
    const big = 'h' + 'x'.repeat(2 * 1024 * 1024) + 'TAIL';
    receiver.respond((_req, res) => res.writeHead(200).end(big));
    const result = await sendSafeHttpRequest(post(`${receiver.url}/big`), allow);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body.startsWith('hxxx')).toBe(true);
    expect(result.body.endsWith('xTAIL')).toBe(true);
    expect(result.omittedBytes + result.body.length).toBe(big.length);
  });

  it('reports a header value Node refuses as an invalid request, sending nothing', async () => {
    const result = await sendSafeHttpRequest({ url: `${receiver.url}/x`, method: 'POST', headers: { 'x-bad': 'a\r\nb' }, body: '' }, allow);
    expect(result).toMatchObject({ ok: false, kind: 'invalid-request' });
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses URLs that are not http or https', async () => {
    expect(await sendSafeHttpRequest(post('ftp://example.com/x'), allow)).toMatchObject({ ok: false, kind: 'invalid-request' });
    expect(await sendSafeHttpRequest(post('not a url'), allow)).toMatchObject({ ok: false, kind: 'invalid-request' });
  });
});
