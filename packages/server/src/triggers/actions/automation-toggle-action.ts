import { isUuid, normalizeUuid, type Action, type ReceivedEvent, type RelatedResource } from '@herald/core';
import type { AutomationToggleResult } from '../../automations/automation-service.js';
import { permanentFailure, type ActionContext, type ActionOutcome } from './action-job.js';
import { lineageResource } from './lineage.js';

type ToggleAction = Extract<Action, { type: 'pause-automation' | 'resume-automation' }>;

/**
 * `pause-automation` / `resume-automation`: disables or enables the selected automation, or the one
 * inferred from the triggering event's first `herald.automation.<uuid>` resource (spec 4.3).
 *
 * @example
 * await toggleAutomation(ctx, { type: 'pause-automation', source: 'inferred', automation_id: null });
 */
export async function toggleAutomation(ctx: ActionContext, action: ToggleAction): Promise<ActionOutcome> {
  const target = action.source === 'selected' ? selected(action.automation_id) : inferAutomation(ctx.job.triggeringEvent);
  if (!target.ok) return permanentFailure(target.reason);
  const related: RelatedResource[] = [{ 'prefect.resource.id': `herald.automation.${target.id}`, 'prefect.resource.role': 'target' }];
  const enabled = action.type === 'resume-automation';
  let result: AutomationToggleResult;
  try {
    // The lineage marks the `updated` event as caused by this automation (loop protection).
    result = await ctx.deps.automations.setEnabled(target.id, enabled, {
      related: [lineageResource(ctx.job.triggeringEvent, ctx.job.automation.id)],
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'failed', reason: `The automation could not be updated: ${message}`, details: {}, related, retryAfterMs: 0 };
  }
  if (result === 'ok') return { status: 'executed', details: {}, related };
  if (result === 'not_found') return permanentFailure(`Unexpected status from '${action.type}' action: 404`, related, { status_code: 404 });
  return permanentFailure(`Validation error occurred for '${action.type}' - ${result.invalid}`, related, { status_code: 422 });
}

type Target = { ok: true; id: string } | { ok: false; reason: string };

function selected(id: string | null): Target {
  if (id === null || !isUuid(id)) return { ok: false, reason: 'automation_id is required' };
  return { ok: true, id: normalizeUuid(id) };
}

/**
 * The automation an event points at: its first `herald.automation.*` resource decides, and a non-UUID
 * suffix there fails even when a later one would do (spec Q-X1, kept for parity).
 *
 * @example
 * inferAutomation(null) // { ok: false, reason: 'No event to infer the automation' }
 */
export function inferAutomation(event: ReceivedEvent | null): Target {
  if (event === null) return { ok: false, reason: 'No event to infer the automation' };
  for (const resource of [event.resource, ...event.related]) {
    const id = resource['prefect.resource.id'] ?? '';
    const dot = id.lastIndexOf('.');
    if (dot < 0 || id.slice(0, dot) !== 'herald.automation') continue;
    const suffix = id.slice(dot + 1);
    return isUuid(suffix) ? { ok: true, id: normalizeUuid(suffix) } : { ok: false, reason: 'No automation could be inferred' };
  }
  return { ok: false, reason: 'No automation could be inferred' };
}
