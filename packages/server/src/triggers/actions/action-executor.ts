import type { Action } from '@herald/core';
import { permanentFailure, type ActionContext, type ActionExecutor, type ActionExecutorDeps, type ActionOutcome } from './action-job.js';
import { toggleAutomation } from './automation-toggle-action.js';
import { callWebhook } from './call-webhook-action.js';
import { emitEvent, emittedEventValidator } from './emit-event-action.js';
import { sendNotification } from './send-notification-action.js';

/**
 * Creates the executor that runs one action job and reports its outcome as a value. Retrying,
 * budgets and the action events are the caller's (see `retryDelayMs`, `buildActionEvents`).
 *
 * @example
 * const executor = createActionExecutor({ connections, automations, emit, render, http: { allowPrivateNetworks: false, timeoutMs: 10_000 }, uiUrl: null, now: () => Date.now() * 1000 });
 * const outcome = await executor.execute(job);
 * if (outcome.status === 'failed' && outcome.retryAfterMs !== null) schedule(job, outcome.retryAfterMs);
 */
export function createActionExecutor(deps: ActionExecutorDeps): ActionExecutor {
  const validator = emittedEventValidator(deps.eventLimits);
  return {
    async execute(job) {
      let built: { context: unknown } | null = null;
      const ctx: ActionContext = {
        job,
        deps,
        templateContext() {
          built ??= {
            context: deps.render.buildActionTemplateContext({
              automation: job.automation,
              firing: job.firing,
              event: job.triggeringEvent,
              uiUrl: deps.uiUrl,
            }),
          };
          return built.context;
        },
      };
      try {
        return await run(ctx, job.action, validator);
      } catch (error) {
        // A bug, not an expected failure; retried within the budget like a transient one.
        const message = error instanceof Error ? error.message : String(error);
        return { status: 'failed', reason: `The action raised an unexpected error: ${message}`, details: {}, related: [], retryAfterMs: 0 };
      }
    },
  };
}

async function run(ctx: ActionContext, action: Action, validator: ReturnType<typeof emittedEventValidator>): Promise<ActionOutcome> {
  switch (action.type) {
    case 'do-nothing':
      return { status: 'executed', details: {}, related: [] };
    case 'call-webhook':
      return callWebhook(ctx, action);
    case 'send-notification':
      return sendNotification(ctx, action);
    case 'pause-automation':
    case 'resume-automation':
      return toggleAutomation(ctx, action);
    case 'emit-event':
      return emitEvent(ctx, action, validator);
    default: {
      // Stored data may hold a type this version does not run (DECISIONS 17 refuses them on write).
      const unknown: never = action;
      return permanentFailure(`The action type '${(unknown as { type: string }).type}' is not supported`);
    }
  }
}
