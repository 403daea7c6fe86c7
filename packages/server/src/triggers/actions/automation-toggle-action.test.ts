import { describe, expect, it } from 'vitest';
import { createActionExecutor } from './action-executor.js';
import { jobFor, spiderEvent, testDeps } from './action-test-support.js';

const TARGET = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const target = { 'prefect.resource.id': `herald.automation.${TARGET}`, 'prefect.resource.role': 'target' };

function setup(enabled: boolean) {
  const deps = testDeps();
  deps.automations.enabled.set(TARGET, enabled);
  return { deps, executor: createActionExecutor(deps) };
}

describe('pause-automation / resume-automation (S111)', () => {
  it('pauses a selected automation and names it as target', async () => {
    const { deps, executor } = setup(true);
    const outcome = await executor.execute(jobFor({ type: 'pause-automation', source: 'selected', automation_id: TARGET }));
    expect(outcome).toEqual({ status: 'executed', details: {}, related: [target] });
    expect(deps.automations.enabled.get(TARGET)).toBe(false);
  });

  it('resumes a selected automation', async () => {
    const { deps, executor } = setup(false);
    expect((await executor.execute(jobFor({ type: 'resume-automation', source: 'selected', automation_id: TARGET }))).status).toBe(
      'executed',
    );
    expect(deps.automations.enabled.get(TARGET)).toBe(true);
  });

  it('passes the lineage to the update, so the updated event carries it', async () => {
    const { deps, executor } = setup(true);
    await executor.execute(jobFor({ type: 'pause-automation', source: 'selected', automation_id: TARGET }));
    expect(deps.automations.calls[0]!.related).toEqual([
      {
        'prefect.resource.id': 'herald.lineage.7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
        'prefect.resource.role': 'herald-lineage',
        'herald.automations': '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
      },
    ]);
  });

  it('fails for an unknown automation with "Unexpected status", not retried', async () => {
    const { executor } = setup(true);
    const outcome = await executor.execute(
      jobFor({ type: 'pause-automation', source: 'selected', automation_id: '00000000-0000-4000-8000-000000000000' }),
    );
    expect(outcome).toMatchObject({ status: 'failed', retryAfterMs: null });
    expect(outcome.status === 'failed' && outcome.reason).toMatch(/Unexpected status/);
  });

  it('fails when enabling would not validate', async () => {
    const { deps, executor } = setup(false);
    deps.automations.invalidWhenEnabled.add(TARGET);
    const outcome = await executor.execute(jobFor({ type: 'resume-automation', source: 'selected', automation_id: TARGET }));
    expect(outcome).toMatchObject({
      status: 'failed',
      retryAfterMs: null,
      reason: "Validation error occurred for 'resume-automation' - the trigger would loop",
    });
  });

  it('infers the target from the triggering event', async () => {
    const { deps, executor } = setup(true);
    const event = spiderEvent(undefined, [
      { 'prefect.resource.id': `herald.automation.${TARGET}`, 'prefect.resource.role': 'i-automated-it' },
    ]);
    const outcome = await executor.execute(jobFor({ type: 'pause-automation', source: 'inferred', automation_id: null }, { event }));
    expect(outcome).toEqual({ status: 'executed', details: {}, related: [target] });
    expect(deps.automations.enabled.get(TARGET)).toBe(false);
  });

  it.each([
    ['no triggering event', null, 'No event to infer the automation'],
    ['no related automation', spiderEvent(), 'No automation could be inferred'],
    [
      'only near misses, the first automation resource not a UUID',
      spiderEvent(undefined, [
        { 'prefect.resource.id': 'herald.automation.nope', 'prefect.resource.role': 'x' },
        { 'prefect.resource.id': `oh.so.close.${TARGET}`, 'prefect.resource.role': 'x' },
        { 'prefect.resource.id': 'nah-ah', 'prefect.resource.role': 'x' },
        { 'prefect.resource.id': `herald.automation.${TARGET}`, 'prefect.resource.role': 'x' },
      ]),
      'No automation could be inferred',
    ],
  ])('fails to infer with %s', async (_name, event, reason) => {
    const { deps, executor } = setup(true);
    const outcome = await executor.execute(jobFor({ type: 'pause-automation', source: 'inferred', automation_id: null }, { event }));
    expect(outcome).toEqual({ status: 'failed', reason, details: {}, related: [], retryAfterMs: null });
    expect(deps.automations.calls).toHaveLength(0);
  });

  it('a store error while updating is retryable', async () => {
    const deps = testDeps({
      automations: {
        setEnabled: async () => {
          throw new Error('database is locked');
        },
      },
    });
    const outcome = await createActionExecutor(deps).execute(
      jobFor({ type: 'pause-automation', source: 'selected', automation_id: TARGET }),
    );
    expect(outcome).toMatchObject({ status: 'failed', retryAfterMs: 0, related: [target] });
  });
});
