import { createHmac, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActionExecutor } from './action-executor.js';
import { T0, jobFor, testDeps } from './action-test-support.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

const CONNECTION_ID = '5e0c3c1a-0000-4000-8000-00000000c0de';
const connectionResource = {
  'prefect.resource.id': `herald.connection.${CONNECTION_ID}`,
  'prefect.resource.role': 'connection',
  'prefect.resource.name': 'webhook-test',
  'herald.connection.kind': 'webhook',
};

let receiver: TestReceiver;
beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function setup(
  options: {
    secrets?: Record<string, string>;
    settings?: Record<string, string | boolean>;
    allowPrivateNetworks?: boolean;
    timeoutMs?: number;
  } = {},
) {
  const deps = testDeps({ http: { allowPrivateNetworks: options.allowPrivateNetworks ?? true, timeoutMs: options.timeoutMs ?? 5000 } });
  deps.connections.add({
    id: CONNECTION_ID,
    name: 'webhook-test',
    kind: 'webhook',
    settings: { method: 'POST', ...options.settings },
    secrets: { url: `${receiver.url}/hook`, headers: JSON.stringify({ foo: 'bar' }), ...options.secrets },
  });
  return { deps, executor: createActionExecutor(deps) };
}

const webhook = (payload: string) => ({ type: 'call-webhook' as const, block_document_id: CONNECTION_ID, payload });

describe('call-webhook (S109, with a connection instead of a block)', () => {
  it('sends an empty body for an empty payload, with the connection headers', async () => {
    const { executor } = setup();
    const outcome = await executor.execute(jobFor(webhook('')));
    expect(outcome.status).toBe('executed');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', url: '/hook', body: '' });
    expect(receiver.requests[0]!.headers.foo).toBe('bar');
  });

  it('renders the payload and sends it verbatim; records status, redacted headers and body', async () => {
    receiver.respond((_req, res) =>
      res.writeHead(200, { foo: 'bar', Authorization: 'Bearer secret', via: '1.1 proxy' }).end('Booped the snoot!'),
    );
    const { executor } = setup();
    const outcome = await executor.execute(jobFor(webhook('{\n  "automation": "{{ automation.name }}"\n}')));
    expect(receiver.requests[0]!.body).toBe('{\n  "automation": "React immediately to spiders"\n}');
    expect(outcome).toMatchObject({
      status: 'executed',
      details: { status_code: 200, response_body: 'Booped the snoot!' },
      related: [connectionResource],
    });
    const headers = (outcome.details.response_headers ?? {}) as Record<string, string>;
    expect(headers.foo).toBe('bar');
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('authorization');
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain('via');
  });

  it('records a unicode body and its headers like the spec example', async () => {
    receiver.respond((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '4' }).end('🦊'));
    const { executor } = setup();
    const outcome = await executor.execute(jobFor(webhook('hi')));
    expect(outcome).toMatchObject({
      status: 'executed',
      details: {
        status_code: 200,
        response_body: '🦊',
        response_headers: { 'content-length': '4', 'content-type': 'text/plain; charset=utf-8' },
      },
    });
  });

  it('uses the method of the connection settings', async () => {
    const { executor } = setup({ settings: { method: 'PUT' } });
    await executor.execute(jobFor(webhook('x')));
    expect(receiver.requests[0]!.method).toBe('PUT');
  });

  it('signs with Standard Webhooks when the connection has a signing secret', async () => {
    const key = randomBytes(24);
    const { executor } = setup({ secrets: { signing_secret: `whsec_${key.toString('base64')}` } });
    const job = jobFor(webhook('{"signed": true}'));
    await executor.execute(job);
    const { headers, body } = receiver.requests[0]!;
    expect(headers['webhook-id']).toBe(job.id);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(T0 / 1e6)));
    const expected = createHmac('sha256', key)
      .update(`${job.id}.${Math.floor(T0 / 1e6)}.${body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('sends no signature headers without a secret', async () => {
    const { executor } = setup();
    await executor.execute(jobFor(webhook('x')));
    expect(receiver.requests[0]!.headers['webhook-signature']).toBeUndefined();
  });

  describe('classifies answers (DECISIONS 14)', () => {
    it('5xx fails and is retryable', async () => {
      receiver.respond((_req, res) => res.writeHead(503).end('down'));
      const outcome = await setup().executor.execute(jobFor(webhook('x')));
      expect(outcome).toMatchObject({
        status: 'failed',
        retryAfterMs: 0,
        details: { status_code: 503, response_body: 'down' },
        related: [connectionResource],
      });
      expect(outcome.status === 'failed' && outcome.reason).toBe('Webhook call failed: status 503');
    });

    it('429 fails and is retryable after its Retry-After', async () => {
      receiver.respond((_req, res) => res.writeHead(429, { 'retry-after': '7' }).end());
      expect(await setup().executor.execute(jobFor(webhook('x')))).toMatchObject({
        status: 'failed',
        retryAfterMs: 7000,
        details: { status_code: 429 },
      });
    });

    it('other 4xx fail at once', async () => {
      receiver.respond((_req, res) => res.writeHead(404).end('no such hook'));
      expect(await setup().executor.execute(jobFor(webhook('x')))).toMatchObject({
        status: 'failed',
        retryAfterMs: null,
        details: { status_code: 404 },
      });
    });

    it('a timeout is retryable', async () => {
      receiver.respond(() => {
        // never answers
      });
      const outcome = await setup({ timeoutMs: 200 }).executor.execute(jobFor(webhook('x')));
      expect(outcome).toMatchObject({ status: 'failed', retryAfterMs: 0 });
    });
  });

  it('refuses the private receiver unless private networks are allowed', async () => {
    const refused = await setup({ allowPrivateNetworks: false }).executor.execute(jobFor(webhook('x')));
    expect(refused).toMatchObject({ status: 'failed', retryAfterMs: null });
    expect(refused.status === 'failed' && refused.reason).toMatch(/^Webhook call failed: refused: 127\.0\.0\.1 is a private/);
    expect(receiver.requests).toHaveLength(0);
    const allowed = await setup({ allowPrivateNetworks: false, settings: { allow_private_network: true } }).executor.execute(
      jobFor(webhook('x')),
    );
    expect(allowed.status).toBe('executed');
  });

  it('refuses metadata endpoints even when private networks are allowed', async () => {
    const outcome = await setup({ secrets: { url: 'http://169.254.169.254/latest/meta-data/' } }).executor.execute(jobFor(webhook('x')));
    expect(outcome).toMatchObject({ status: 'failed', retryAfterMs: null });
  });

  it('fails without retry for an unknown connection or a connection of another kind', async () => {
    const { deps, executor } = setup();
    const unknown = await executor.execute(
      jobFor({ type: 'call-webhook', block_document_id: '00000000-0000-4000-8000-000000000000', payload: '' }),
    );
    expect(unknown).toMatchObject({ status: 'failed', retryAfterMs: null });
    deps.connections.add({ id: 'slack-1', name: 'chat', kind: 'slack', settings: {}, secrets: { url: receiver.url } });
    const wrongKind = await executor.execute(jobFor({ type: 'call-webhook', block_document_id: 'slack-1', payload: '' }));
    expect(wrongKind).toMatchObject({
      status: 'failed',
      retryAfterMs: null,
      reason: 'The referenced connection is not a webhook connection',
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('fails without retry when the connection headers are not a JSON object', async () => {
    const outcome = await setup({ secrets: { headers: '["x"]' } }).executor.execute(jobFor(webhook('x')));
    expect(outcome).toMatchObject({ status: 'failed', retryAfterMs: null });
  });

  it('reports a template that fails to render with its error and source (spec 5.4)', async () => {
    const source = '{% for x in %}';
    const outcome = await setup().executor.execute(jobFor(webhook(source)));
    expect(outcome).toMatchObject({
      status: 'failed',
      retryAfterMs: null,
      related: [connectionResource],
      details: { template_source: source },
    });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/^Template rendering failed: /);
    expect(typeof outcome.details.template_error).toBe('string');
    expect(receiver.requests).toHaveLength(0);
  });
});
