import { HeraldError, formatDateTime, type Event } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { createActionExecutor } from './action-executor.js';
import { T0, jobFor, spiderEvent, testDeps } from './action-test-support.js';
import { derivedEventId } from './derived-event-id.js';

const AUTOMATION = '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d';
const emit = (event: string) => ({ type: 'emit-event' as const, event });

describe('emit-event', () => {
  it('renders the event, fills id and occurred, stamps the lineage and emits it', async () => {
    const deps = testDeps();
    const job = jobFor(
      emit(
        '{"event": "acme.spider.seen", "resource": {"prefect.resource.id": "acme.{{ event.resource.id }}"}, "payload": {"weight": {{ event.payload.weight }}}}',
      ),
    );
    const outcome = await createActionExecutor(deps).execute(job);
    const id = derivedEventId(job.id, 'emit-event');
    expect(outcome).toEqual({
      status: 'executed',
      details: { event_id: id, event: 'acme.spider.seen' },
      related: [{ 'prefect.resource.id': `prefect.event.${id}`, 'prefect.resource.role': 'emitted-event' }],
    });
    expect(deps.emitted).toEqual([
      {
        event: 'acme.spider.seen',
        resource: { 'prefect.resource.id': 'acme.daddy-long-legs' },
        related: [
          {
            'prefect.resource.id': `herald.lineage.${AUTOMATION}`,
            'prefect.resource.role': 'herald-lineage',
            'herald.automations': AUTOMATION,
          },
        ],
        payload: { weight: 3 },
        id,
        occurred: formatDateTime(T0),
        follows: null,
      },
    ]);
  });

  it('derives the same id on a retry of the job, so the store deduplicates it', async () => {
    const deps = testDeps();
    const executor = createActionExecutor(deps);
    const action = emit('{"event": "x.y", "resource": {"prefect.resource.id": "x"}}');
    await executor.execute(jobFor(action, { attempt: 1 }));
    await executor.execute(jobFor(action, { attempt: 2 }));
    expect(deps.emitted[0]!.id).toBe(deps.emitted[1]!.id);
  });

  it('keeps a given id and occurred, extends the parent lineage and replaces a forged one', async () => {
    const deps = testDeps();
    const parent = { 'prefect.resource.id': 'herald.lineage.b', 'prefect.resource.role': 'herald-lineage', 'herald.automations': 'a,b' };
    const job = jobFor(
      emit(
        '{"id": "0193a5c2-7c7e-7000-8000-000000000042", "occurred": "2026-01-01T00:00:00Z", "event": "x.y", "resource": {"prefect.resource.id": "x"}, ' +
          '"related": [{"prefect.resource.id": "r", "prefect.resource.role": "thing"}, {"prefect.resource.id": "fake", "prefect.resource.role": "herald-lineage", "herald.automations": ""}]}',
      ),
      { event: spiderEvent(undefined, [parent]) },
    );
    expect((await createActionExecutor(deps).execute(job)).status).toBe('executed');
    const event = deps.emitted[0]!;
    expect(event.id).toBe('0193a5c2-7c7e-7000-8000-000000000042');
    expect(event.occurred).toBe('2026-01-01T00:00:00Z');
    expect(event.related).toEqual([
      { 'prefect.resource.id': 'r', 'prefect.resource.role': 'thing' },
      {
        'prefect.resource.id': `herald.lineage.${AUTOMATION}`,
        'prefect.resource.role': 'herald-lineage',
        'herald.automations': `a,b,${AUTOMATION}`,
      },
    ]);
  });

  it('fails at once, naming the problem, when the rendered event is invalid', async () => {
    const deps = testDeps();
    const outcome = await createActionExecutor(deps).execute(jobFor(emit('{"event": "x.y"}')));
    expect(outcome).toMatchObject({ status: 'failed', retryAfterMs: null });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/^The rendered event is invalid: .*resource/);
    expect(deps.emitted).toHaveLength(0);
  });

  it('fails at once when the template does not render to a JSON object', async () => {
    const deps = testDeps();
    expect(await createActionExecutor(deps).execute(jobFor(emit('[1, 2]')))).toMatchObject({
      status: 'failed',
      retryAfterMs: null,
      reason: 'The rendered event is not a JSON object',
    });
    const broken = await createActionExecutor(deps).execute(jobFor(emit('{"event": {{ }')));
    expect(broken).toMatchObject({ status: 'failed', retryAfterMs: null, details: { template_source: '{"event": {{ }' } });
    expect(broken.status === 'failed' && broken.reason).toMatch(/^Template rendering failed: /);
  });

  it('an ingest refusal fails at once; a storage outage is retryable', async () => {
    const action = emit('{"event": "x.y", "resource": {"prefect.resource.id": "x"}}');
    const refusing = testDeps({
      emit: async () => {
        throw new HeraldError('EVENT_VALIDATION_FAILED', {
          details: { issues: [{ pointer: '/event', path: ['event'], type: 'too_long', message: 'too long' }] },
        });
      },
    });
    expect(await createActionExecutor(refusing).execute(jobFor(action))).toMatchObject({
      status: 'failed',
      retryAfterMs: null,
      reason: 'The rendered event is invalid: /event: too long',
    });
    const down = testDeps({
      emit: async (_event: Event) => {
        throw new HeraldError('STORAGE_UNAVAILABLE');
      },
    });
    expect(await createActionExecutor(down).execute(jobFor(action))).toMatchObject({ status: 'failed', retryAfterMs: 0 });
  });
});
