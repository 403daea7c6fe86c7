import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActionExecutor } from './action-executor.js';
import { jobFor, testDeps } from './action-test-support.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  user: string | null;
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives; `rejectWith` answers DATA with that code. */
async function startSmtp(options: { requireAuth?: boolean; rejectWith?: number } = {}) {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: !options.requireAuth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'herald' && auth.password === 's3cret') callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (options.rejectWith !== undefined) {
          const error = new Error('Mailbox unavailable') as Error & { responseCode: number };
          error.responseCode = options.rejectWith;
          callback(error);
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: typeof session.user === 'string' ? session.user : null,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const notify = (id: string, subject = 'Spider alert', body = 'Saw {{ event.resource.name }}') => ({
  type: 'send-notification' as const,
  block_document_id: id,
  subject,
  body,
});

let receiver: TestReceiver;
beforeEach(async () => {
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('send-notification over HTTP channels', () => {
  it('posts Slack text with the subject in bold', async () => {
    const deps = testDeps();
    deps.connections.add({ id: 'slack', name: 'ops', kind: 'slack', settings: {}, secrets: { url: `${receiver.url}/slack` } });
    const outcome = await createActionExecutor(deps).execute(jobFor(notify('slack')));
    expect(outcome).toMatchObject({ status: 'executed', details: { status_code: 200 } });
    expect(outcome.related[0]).toMatchObject({ 'prefect.resource.id': 'herald.connection.slack', 'herald.connection.kind': 'slack' });
    expect(receiver.requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(receiver.requests[0]!.body)).toEqual({ text: '*Spider alert*\nSaw Daddy Long Legs' });
  });

  it('posts Discord content', async () => {
    const deps = testDeps();
    deps.connections.add({ id: 'discord', name: 'ops', kind: 'discord', settings: {}, secrets: { url: `${receiver.url}/discord` } });
    await createActionExecutor(deps).execute(jobFor(notify('discord')));
    expect(JSON.parse(receiver.requests[0]!.body)).toEqual({ content: '**Spider alert**\nSaw Daddy Long Legs' });
  });

  it('posts a generic webhook {subject, body}', async () => {
    const deps = testDeps();
    deps.connections.add({
      id: 'hook',
      name: 'ops',
      kind: 'webhook',
      settings: { method: 'POST' },
      secrets: { url: `${receiver.url}/generic` },
    });
    await createActionExecutor(deps).execute(jobFor(notify('hook', 'Hello', '{{ automation.name }}')));
    expect(JSON.parse(receiver.requests[0]!.body)).toEqual({ subject: 'Hello', body: 'React immediately to spiders' });
  });

  it('fails with "Notification failed" and the problem in notification_log; 5xx is retryable, 4xx is not', async () => {
    const deps = testDeps();
    deps.connections.add({ id: 'slack', name: 'ops', kind: 'slack', settings: {}, secrets: { url: `${receiver.url}/slack` } });
    const executor = createActionExecutor(deps);
    receiver.respond((_req, res) => res.writeHead(500).end('boom'));
    expect(await executor.execute(jobFor(notify('slack')))).toMatchObject({
      status: 'failed',
      reason: 'Notification failed',
      retryAfterMs: 0,
      details: { notification_log: 'status 500', status_code: 500 },
    });
    receiver.respond((_req, res) => res.writeHead(403).end('invalid_token'));
    expect(await executor.execute(jobFor(notify('slack')))).toMatchObject({
      status: 'failed',
      reason: 'Notification failed',
      retryAfterMs: null,
      details: { response_body: 'invalid_token' },
    });
  });

  it('refuses a private channel URL unless private networks are allowed', async () => {
    const deps = testDeps({ http: { allowPrivateNetworks: false, timeoutMs: 5000 } });
    deps.connections.add({ id: 'slack', name: 'ops', kind: 'slack', settings: {}, secrets: { url: `${receiver.url}/slack` } });
    expect(await createActionExecutor(deps).execute(jobFor(notify('slack')))).toMatchObject({ status: 'failed', retryAfterMs: null });
    expect(receiver.requests).toHaveLength(0);
  });

  it('renders subject and body templates and reports a failing one', async () => {
    const deps = testDeps();
    deps.connections.add({ id: 'slack', name: 'ops', kind: 'slack', settings: {}, secrets: { url: `${receiver.url}/slack` } });
    const outcome = await createActionExecutor(deps).execute(jobFor(notify('slack', '{{ oops(', 'fine')));
    expect(outcome).toMatchObject({ status: 'failed', retryAfterMs: null, details: { template_source: '{{ oops(' } });
    expect(receiver.requests).toHaveLength(0);
  });
});

describe('send-notification by email', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>> | null = null;
  afterEach(async () => {
    await smtp?.close();
    smtp = null;
  });

  const emailConnection = (port: number, secrets: Record<string, string> = {}) => ({
    id: 'mail',
    name: 'on-call',
    kind: 'email' as const,
    settings: { host: '127.0.0.1', port, secure: false, from: 'herald@example.com', to: ['oncall@example.com', 'lead@example.com'] },
    secrets,
  });

  it('delivers subject, body and recipients to a real SMTP server', async () => {
    smtp = await startSmtp();
    const deps = testDeps();
    deps.connections.add(emailConnection(smtp.port));
    const outcome = await createActionExecutor(deps).execute(jobFor(notify('mail')));
    expect(outcome.status).toBe('executed');
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe('herald@example.com');
    expect(mail.to).toEqual(['oncall@example.com', 'lead@example.com']);
    expect(mail.raw).toMatch(/^Subject: Spider alert\r?$/m);
    expect(mail.raw).toContain('Saw Daddy Long Legs');
  });

  it('authenticates with the connection username and password', async () => {
    smtp = await startSmtp({ requireAuth: true });
    const deps = testDeps();
    deps.connections.add(emailConnection(smtp.port, { username: 'herald', password: 's3cret' }));
    expect((await createActionExecutor(deps).execute(jobFor(notify('mail')))).status).toBe('executed');
    expect(smtp.mails[0]!.user).toBe('herald');
  });

  it('a permanent SMTP rejection (5xx) fails at once; a transient one (4xx) is retryable', async () => {
    smtp = await startSmtp({ rejectWith: 550 });
    const deps = testDeps();
    deps.connections.add(emailConnection(smtp.port));
    expect(await createActionExecutor(deps).execute(jobFor(notify('mail')))).toMatchObject({
      status: 'failed',
      reason: 'Notification failed',
      retryAfterMs: null,
      details: { smtp_response_code: 550 },
    });
    await smtp.close();
    smtp = await startSmtp({ rejectWith: 451 });
    deps.connections.add(emailConnection(smtp.port));
    expect(await createActionExecutor(deps).execute(jobFor(notify('mail')))).toMatchObject({
      status: 'failed',
      retryAfterMs: 0,
      details: { smtp_response_code: 451 },
    });
  });

  it('an unreachable SMTP server is retryable', async () => {
    smtp = await startSmtp();
    const port = smtp.port;
    await smtp.close();
    smtp = null;
    const deps = testDeps();
    deps.connections.add(emailConnection(port));
    const outcome = await createActionExecutor(deps).execute(jobFor(notify('mail')));
    expect(outcome).toMatchObject({ status: 'failed', reason: 'Notification failed', retryAfterMs: 0 });
    expect(typeof outcome.details.notification_log).toBe('string');
  });

  it('an email connection without recipients fails at once', async () => {
    const deps = testDeps();
    deps.connections.add({ ...emailConnection(25), settings: { host: '127.0.0.1', port: 25, secure: false, from: 'a@b.c', to: [] } });
    expect(await createActionExecutor(deps).execute(jobFor(notify('mail')))).toMatchObject({ status: 'failed', retryAfterMs: null });
  });
});
