import { describe, expect, it } from 'vitest';
import { buildActionEvents } from './action-events.js';
import { createActionExecutor } from './action-executor.js';
import { jobFor, spiderEvent, testDeps } from './action-test-support.js';

const ids = { triggered: '0193a5c2-0000-7000-8000-0000000000a1', outcome: '0193a5c2-0000-7000-8000-0000000000a2' };
const NOW = '2026-11-22T12:00:02.500000Z';
const lineage = {
  'prefect.resource.id': 'herald.lineage.7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
  'prefect.resource.role': 'herald-lineage',
  'herald.automations': '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
};
const resource = {
  'prefect.resource.id': 'herald.automation.7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
  'prefect.resource.name': 'React immediately to spiders',
  'prefect.trigger-type': 'event',
  'prefect.posture': 'Reactive',
};

describe('buildActionEvents', () => {
  // S103, with Herald's names (DECISIONS 20) and the lineage resource appended (ARCHITECTURE invariant 9).
  it('S103: a successful do-nothing yields action.triggered then action.executed', async () => {
    const job = jobFor({ type: 'do-nothing' });
    const outcome = await createActionExecutor(testDeps()).execute(job);
    expect(outcome).toEqual({ status: 'executed', details: {}, related: [] });
    const [triggered, executed] = buildActionEvents(job, outcome, ids, NOW);
    const related = [{ 'prefect.resource.id': `prefect.event.${spiderEvent().id}`, 'prefect.resource.role': 'triggering-event' }, lineage];
    const payload = { action_index: 0, action_type: 'do-nothing', invocation: job.id, attempt: 1 };
    expect(triggered).toEqual({
      occurred: job.firing.triggered,
      event: 'herald.automation.action.triggered',
      resource,
      related,
      payload,
      id: ids.triggered,
      follows: spiderEvent().id,
    });
    expect(executed).toEqual({
      occurred: NOW,
      event: 'herald.automation.action.executed',
      resource,
      related,
      payload,
      id: ids.outcome,
      follows: ids.triggered,
    });
  });

  it('S107: both events link the automation.triggered event before the triggering event', () => {
    const job = jobFor({ type: 'do-nothing' }, { automationTriggeredEventId: 'zzzz-triggered' });
    const [triggered, executed] = buildActionEvents(job, { status: 'executed', details: {}, related: [] }, ids, NOW);
    for (const event of [triggered, executed]) {
      expect(event.related.slice(0, 2)).toEqual([
        { 'prefect.resource.id': 'prefect.event.zzzz-triggered', 'prefect.resource.role': 'automation-triggered-event' },
        { 'prefect.resource.id': `prefect.event.${spiderEvent().id}`, 'prefect.resource.role': 'triggering-event' },
      ]);
    }
  });

  it('S107: without the link, related holds only the triggering event (and the lineage)', () => {
    const job = jobFor({ type: 'do-nothing' });
    const failed = buildActionEvents(job, { status: 'failed', reason: 'nope', details: {}, related: [], retryAfterMs: null }, ids, NOW)[1];
    expect(failed.related).toEqual([
      { 'prefect.resource.id': `prefect.event.${spiderEvent().id}`, 'prefect.resource.role': 'triggering-event' },
      lineage,
    ]);
  });

  it('puts action-specific resources first and the reason and details in a failure payload', () => {
    const job = jobFor({ type: 'call-webhook', block_document_id: 'c1', payload: '' }, { attempt: 3, automationTriggeredEventId: 'zz' });
    const target = { 'prefect.resource.id': 'herald.connection.c1', 'prefect.resource.role': 'connection' };
    const [triggered, failed] = buildActionEvents(
      job,
      { status: 'failed', reason: 'Webhook call failed: status 503', details: { status_code: 503 }, related: [target], retryAfterMs: 0 },
      ids,
      NOW,
    );
    expect(failed.event).toBe('herald.automation.action.failed');
    expect(failed.related.map((r) => r['prefect.resource.role'])).toEqual([
      'connection',
      'automation-triggered-event',
      'triggering-event',
      'herald-lineage',
    ]);
    expect(failed.payload).toEqual({
      action_index: 0,
      action_type: 'call-webhook',
      invocation: job.id,
      attempt: 3,
      status_code: 503,
      reason: 'Webhook call failed: status 503',
    });
    expect(triggered.payload).toEqual({ action_index: 0, action_type: 'call-webhook', invocation: job.id, attempt: 3 });
  });

  it('follows the triggering event only when it occurred within 5 minutes of the firing', () => {
    const near = jobFor(
      { type: 'do-nothing' },
      { event: spiderEvent('2026-11-22T11:55:01.000001Z'), triggered: '2026-11-22T12:00:01.000000Z' },
    );
    expect(buildActionEvents(near, { status: 'executed', details: {}, related: [] }, ids, NOW)[0].follows).toBe(spiderEvent().id);
    const far = jobFor(
      { type: 'do-nothing' },
      { event: spiderEvent('2026-11-22T11:55:01.000000Z'), triggered: '2026-11-22T12:00:01.000000Z' },
    );
    expect(buildActionEvents(far, { status: 'executed', details: {}, related: [] }, ids, NOW)[0].follows).toBeNull();
    const none = jobFor({ type: 'do-nothing' }, { event: null });
    const [t, e] = buildActionEvents(none, { status: 'executed', details: {}, related: [] }, ids, NOW);
    expect(t.follows).toBeNull();
    expect(e.follows).toBe(ids.triggered);
    expect(t.related).toEqual([lineage]);
  });

  it('extends the lineage of the triggering event and omits the posture for composite triggers', () => {
    const parent = { 'prefect.resource.id': 'herald.lineage.a', 'prefect.resource.role': 'herald-lineage', 'herald.automations': 'a,b' };
    const job = jobFor({ type: 'do-nothing' }, { event: spiderEvent(undefined, [parent]) });
    job.automation = { ...job.automation, trigger: { type: 'compound', id: 'x', triggers: [], require: 'any', within: null } };
    const [triggered] = buildActionEvents(job, { status: 'executed', details: {}, related: [] }, ids, NOW);
    expect(triggered.resource['prefect.trigger-type']).toBe('compound');
    expect(triggered.resource['prefect.posture']).toBeUndefined();
    expect(triggered.related.at(-1)!['herald.automations']).toBe('a,b,7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d');
  });
});
