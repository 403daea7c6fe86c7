import type { Action } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { createActionExecutor } from './action-executor.js';
import { jobFor, testDeps } from './action-test-support.js';

describe('createActionExecutor', () => {
  it('runs do-nothing', async () => {
    expect(await createActionExecutor(testDeps()).execute(jobFor({ type: 'do-nothing' }))).toEqual({
      status: 'executed',
      details: {},
      related: [],
    });
  });

  it('fails at once for an action type it does not run (DECISIONS 17)', async () => {
    const stored = { type: 'run-deployment', source: 'selected', deployment_id: 'x' } as unknown as Action;
    expect(await createActionExecutor(testDeps()).execute(jobFor(stored))).toEqual({
      status: 'failed',
      reason: "The action type 'run-deployment' is not supported",
      details: {},
      related: [],
      retryAfterMs: null,
    });
  });

  it('turns an unexpected error into a retryable failure instead of throwing', async () => {
    const base = testDeps();
    const deps = testDeps({
      render: {
        ...base.render,
        buildActionTemplateContext: () => {
          throw new Error('context exploded');
        },
      },
    });
    const outcome = await createActionExecutor(deps).execute(jobFor({ type: 'emit-event', event: '{"event": "{{ automation.name }}"}' }));
    expect(outcome).toEqual({
      status: 'failed',
      reason: 'The action raised an unexpected error: context exploded',
      details: {},
      related: [],
      retryAfterMs: 0,
    });
  });

  it('builds the template context only for actions that render', async () => {
    let built = 0;
    const base = testDeps();
    const deps = testDeps({
      render: {
        ...base.render,
        buildActionTemplateContext: (input) => {
          built++;
          return base.render.buildActionTemplateContext(input);
        },
      },
    });
    const executor = createActionExecutor(deps);
    await executor.execute(jobFor({ type: 'do-nothing' }));
    expect(built).toBe(0);
    await executor.execute(
      jobFor({
        type: 'emit-event',
        event: '{"event": "{{ automation.name }}", "resource": {"prefect.resource.id": "{{ automation.id }}"}}',
      }),
    );
    expect(built).toBe(1);
  });
});
