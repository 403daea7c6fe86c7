import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundRequest } from './inbound-request.js';
import { createInterpreterPool, type RequestInterpreter } from './interpreter-pool.js';
import { CLOUD_EVENT_TEMPLATE, interpretRequest } from './webhook-interpreter.js';
import { renderWebhookTemplate } from './webhook-template-render.js';

const TEMPLATE =
  '{"event": "ci.{{ body.status }}", "resource": {"prefect.resource.id": "ci.{{ headers[\'x-repo\'] }}"}, "payload": {"q": {{ query | tojson }}}}';
const webhook = { id: '0193a000-0000-7000-8000-0000000000ab', name: 'ci', template: TEMPLATE };

function request(body: string, headers: Record<string, string> = {}): InboundRequest {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-repo': 'herald', ...headers },
    query: 'page=2',
    body: Buffer.from(body),
    received: 1_780_000_000_000_000,
  };
}

/** What interpreting on this thread gives, without the fresh `id` that completing an event draws. */
function withoutIds(result: unknown): unknown {
  return JSON.parse(
    JSON.stringify(result, (key, value: unknown) => (key === 'id' && typeof value === 'string' && value.length === 36 ? '<id>' : value)),
  );
}

const logLines: string[] = [];
const logger = pino({ level: 'error' }, { write: (line: string) => void logLines.push(line) });
const pools: RequestInterpreter[] = [];

function pool(options: { threads: number; spawn?: () => Worker }): RequestInterpreter {
  const created = createInterpreterPool({ ...options, render: renderWebhookTemplate, logger });
  pools.push(created);
  return created;
}

/** A thread from source that is evaluated as CommonJS. */
const thread = (source: string) => () => new Worker(source, { eval: true });

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  logLines.length = 0;
});

describe('createInterpreterPool', () => {
  it('answers as interpretRequest does on this thread: events, template failures, bad JSON, CloudEvents', async () => {
    const interpreter = pool({ threads: 2 });
    const cloudEvent = { ...webhook, template: CLOUD_EVENT_TEMPLATE };
    const structured = JSON.stringify({
      specversion: '1.0',
      id: 'c-1',
      source: '/ci',
      type: 'ci.done',
      time: '2026-12-01T10:00:00Z',
      data: { ok: true },
    });
    const cases: [typeof webhook, InboundRequest][] = [
      [webhook, request('{"status": "passed"}')],
      // A body that is not JSON is text: `body.status` is undefined.
      [webhook, request('not json at all')],
      [{ ...webhook, template: '{{ body.status' }, request('{}')],
      [{ ...webhook, template: '{"event": {{ body.status }}' }, request('{"status": "x"}')],
      [cloudEvent, request(structured, { 'content-type': 'application/cloudevents+json' })],
      [cloudEvent, request('{}', { 'content-type': 'application/cloudevents+json' })],
    ];
    const answers = await Promise.all(cases.map(([hook, req]) => interpreter.interpret(hook, req)));
    expect(answers.map(withoutIds)).toEqual(cases.map(([hook, req]) => withoutIds(interpretRequest(hook, req, renderWebhookTemplate))));
    expect(answers[0]).toMatchObject({ ok: true, events: [{ event: 'ci.passed', payload: { q: { page: '2' } } }] });
    expect(answers.map((a) => a.ok)).toEqual([true, true, false, false, true, false]);
    // Both threads started: none fell back to this thread.
    expect(logLines).toEqual([]);
  });

  it('spreads a burst over its threads and answers every request in order of its own', async () => {
    const interpreter = pool({ threads: 2 });
    const statuses = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const answers = await Promise.all(statuses.map((status) => interpreter.interpret(webhook, request(JSON.stringify({ status })))));
    expect(answers.map((a) => (a.ok ? a.events[0]!.event : a.failure.error))).toEqual(statuses.map((s) => `ci.${s}`));
    expect(logLines).toEqual([]);
  });

  it('with no threads (HERALD_WEBHOOK_THREADS=0) answers on this thread and starts none', async () => {
    let started = 0;
    const interpreter = pool({
      threads: 0,
      spawn: () => {
        started++;
        return thread('')();
      },
    });
    expect(await interpreter.interpret(webhook, request('{"status": "inline"}'))).toMatchObject({
      ok: true,
      events: [{ event: 'ci.inline' }],
    });
    expect(started).toBe(0);
    expect(logLines).toEqual([]);
  });

  it('answers on this thread when a thread cannot start, and says so once in the log', async () => {
    const interpreter = pool({ threads: 1, spawn: thread("throw new Error('no such module')") });
    const answers = await Promise.all([1, 2, 3].map((n) => interpreter.interpret(webhook, request(JSON.stringify({ status: `n${n}` })))));
    expect(answers.map((a) => a.ok && a.events[0]!.event)).toEqual(['ci.n1', 'ci.n2', 'ci.n3']);
    await expect.poll(() => logLines.length).toBe(1);
    expect(JSON.parse(logLines[0]!)).toMatchObject({
      msg: expect.stringContaining('interpreter thread could not start'),
      err: { message: 'no such module' },
    });
    // The pool no longer has a thread: later requests are answered at once on this thread.
    expect(await interpreter.interpret(webhook, request('{"status": "later"}'))).toMatchObject({
      ok: true,
      events: [{ event: 'ci.later' }],
    });
  });

  it('starts its threads with the first request, runs the jobs of a thread that stops on this thread, and replaces the thread', async () => {
    let started = 0;
    const dying = thread(
      "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.on('message', () => process.exit(3));",
    );
    const interpreter = pool({
      threads: 1,
      spawn: () => {
        started++;
        return dying();
      },
    });
    expect(started).toBe(0); // no thread until the first request
    const first = await interpreter.interpret(webhook, request('{"status": "one"}'));
    expect(first).toMatchObject({ ok: true, events: [{ event: 'ci.one' }] });
    await expect.poll(() => started).toBe(2);
    expect(logLines.join('')).toContain('exited with code 3');
  });

  it('runs a job again on this thread when it throws in a thread', async () => {
    const failing = thread(
      "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (jobs) => parentPort.postMessage(jobs.map(({ id }) => ({ id, failed: true }))));",
    );
    const interpreter = pool({ threads: 1, spawn: failing });
    expect(await interpreter.interpret(webhook, request('{"status": "again"}'))).toMatchObject({
      ok: true,
      events: [{ event: 'ci.again' }],
    });
    expect(logLines).toEqual([]);
  });

  it('close waits for the requests under way', async () => {
    const slow = thread(
      "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (jobs) => setTimeout(() => parentPort.postMessage(jobs.map(({ id }) => ({ id, result: { ok: false, failure: { reason: 'template', error: 'slow' }, rendered: null } }))), 300));",
    );
    const interpreter = pool({ threads: 1, spawn: slow });
    let answered = false;
    const answer = interpreter.interpret(webhook, request('{}')).then((a) => {
      answered = true;
      return a;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await interpreter.close();
    expect(answered).toBe(true);
    expect(await answer).toMatchObject({ ok: false, failure: { error: 'slow' } });
  });

  it('close still answers the jobs of a thread that stops while it waits', async () => {
    const exiting = thread(
      "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => setTimeout(() => process.exit(5), 200));",
    );
    const interpreter = pool({ threads: 1, spawn: exiting });
    const answer = interpreter.interpret(webhook, request('{"status": "late"}'));
    await new Promise((resolve) => setImmediate(resolve));
    await interpreter.close();
    expect(await answer).toMatchObject({ ok: true, events: [{ event: 'ci.late' }] });
  });
});
