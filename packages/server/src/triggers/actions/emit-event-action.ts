import {
  DEFAULT_EVENT_LIMITS,
  HeraldError,
  createEventValidator,
  formatDateTime,
  type Action,
  type EventValidator,
  type JsonValue,
  type RelatedResource,
  type ValidationIssue,
} from '@herald/core';
import { permanentFailure, templateFailure, type ActionContext, type ActionOutcome } from './action-job.js';
import { derivedEventId } from './derived-event-id.js';
import { truncateResponseBody } from './http-outcome.js';
import { LINEAGE_ROLE, lineageResource } from './lineage.js';

type EmitEvent = Extract<Action, { type: 'emit-event' }>;

/**
 * `emit-event`: renders the `event` JSON template, fills `id` (derived from the job id, so a retry
 * re-sends the same event) and `occurred` (now) when absent, stamps the lineage resource (the
 * triggering event's lineage plus this automation), validates, and ingests it.
 *
 * @example
 * await emitEvent(ctx, { type: 'emit-event', event: '{"event": "acme.alert", "resource": {"prefect.resource.id": "acme.{{ event.resource.id }}"}}' }, validator);
 */
export async function emitEvent(ctx: ActionContext, action: EmitEvent, validator: EventValidator): Promise<ActionOutcome> {
  const rendered = ctx.deps.render.renderJsonTemplate(action.event, ctx.templateContext());
  if (!rendered.ok) return templateFailure(rendered.error, action.event, []);
  const value = rendered.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return permanentFailure('The rendered event is not a JSON object', [], { rendered: truncateResponseBody(JSON.stringify(value)) });
  }
  const { job } = ctx;
  const candidate: Record<string, JsonValue> = {
    related: [],
    payload: {},
    follows: null,
    ...value,
  };
  if (candidate.id === undefined || candidate.id === null) candidate.id = derivedEventId(job.id, 'emit-event');
  if (candidate.occurred === undefined || candidate.occurred === null) candidate.occurred = formatDateTime(ctx.deps.now());
  if (Array.isArray(candidate.related)) {
    // A template cannot reset its own lineage: any lineage it wrote is replaced by the real one.
    const kept = candidate.related.filter(
      (r) => !(typeof r === 'object' && r !== null && !Array.isArray(r) && r['prefect.resource.role'] === LINEAGE_ROLE),
    );
    candidate.related = [...kept, lineageResource(job.triggeringEvent, job.automation.id)];
  }
  const checked = validator.validate(candidate);
  if (!checked.ok) return invalidEvent(checked.issues, candidate);
  const event = checked.event;
  const related: RelatedResource[] = [{ 'prefect.resource.id': `prefect.event.${event.id}`, 'prefect.resource.role': 'emitted-event' }];
  try {
    await ctx.deps.emit(event);
  } catch (error) {
    if (error instanceof HeraldError && error.code === 'EVENT_VALIDATION_FAILED') {
      const issues = (error.details as { issues?: ValidationIssue[] } | undefined)?.issues ?? [];
      return invalidEvent(issues, candidate);
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 'failed',
      reason: `The event could not be emitted: ${message}`,
      details: { event_id: event.id },
      related,
      retryAfterMs: 0,
    };
  }
  return { status: 'executed', details: { event_id: event.id, event: event.event }, related };
}

/**
 * The validator for emitted events, compiled once per executor.
 *
 * @example
 * const validator = emittedEventValidator(deps.eventLimits);
 */
export function emittedEventValidator(limits = DEFAULT_EVENT_LIMITS): EventValidator {
  return createEventValidator(limits);
}

function invalidEvent(issues: ValidationIssue[], candidate: Record<string, JsonValue>): ActionOutcome {
  const summary = issues.map((i) => `${i.pointer || '/'}: ${i.message}`).join('; ');
  return permanentFailure(`The rendered event is invalid: ${summary || 'rejected by ingest'}`, [], {
    issues: issues.map((i) => ({ pointer: i.pointer, type: i.type, message: i.message })),
    // Cut, so that the failure event itself stays well inside the event size limit.
    rendered: truncateResponseBody(JSON.stringify(candidate)),
  });
}
