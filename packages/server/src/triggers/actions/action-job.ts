import type { Action, Automation, Event, EventLimits, Firing, JsonValue, ReceivedEvent, RelatedResource } from '@herald/core';
import type { AutomationToggleResult } from '../../automations/automation-service.js';
import type { ConnectionResolver, ResolvedConnection } from '../../connections/connection-service.js';

/** One action to run: a persisted outbox row of the trigger service. */
export interface ActionJob {
  /** The invocation id (persisted outbox row id). Retries of the job keep it. */
  id: string;
  /** The automation as it was when it fired. */
  automation: Automation;
  firing: Firing;
  action: Action;
  /** Position in `actions ++ actions_on_trigger ++ actions_on_resolve` (spec 3.11). */
  actionIndex: number;
  /** `actions` get the firing's event; `actions_on_trigger`/`_on_resolve` get the automation's own triggered/resolved event. */
  triggeringEvent: ReceivedEvent | null;
  automationTriggeredEventId: string | null;
  /** 1-based. */
  attempt: number;
}

/**
 * What running an action did. A failure with `retryAfterMs !== null` is retryable (5xx, 429, network
 * error, storage briefly unavailable): the runner waits at least `retryAfterMs` (a `Retry-After`
 * answer; 0 when the receiver named no wait) and at least its backoff, within its attempt budget.
 * `retryAfterMs: null` fails at once.
 */
export type ActionOutcome =
  | { status: 'executed'; details: Record<string, JsonValue>; related: RelatedResource[] }
  | { status: 'failed'; reason: string; details: Record<string, JsonValue>; related: RelatedResource[]; retryAfterMs: number | null };

/** Runs actions. Never throws: every outcome, including a bug in an action, is a value. */
export interface ActionExecutor {
  execute(job: ActionJob): Promise<ActionOutcome>;
}

/** Enables and disables automations (H4's `AutomationService.setEnabled`); `related` goes on the `updated` event. */
export interface AutomationControl {
  setEnabled(id: string, enabled: boolean, options?: { related?: RelatedResource[] }): Promise<AutomationToggleResult>;
}

/** The result of rendering a template (H2). */
export type TextRender = { ok: true; text: string } | { ok: false; error: string };
/** The result of rendering a JSON template (H2). */
export type JsonRender = { ok: true; value: JsonValue } | { ok: false; error: string };

/**
 * The template functions of `domain/templates` (H2). Pass the module's functions as they are:
 * `{ renderTemplate, renderJsonTemplate, buildActionTemplateContext }`. Written as methods so that
 * H2's own `TemplateContext` type fits without this module naming it.
 */
export interface ActionTemplates {
  buildActionTemplateContext(input: { automation: Automation; firing: Firing; event: ReceivedEvent | null; uiUrl: string | null }): unknown;
  renderTemplate(source: string, context: unknown): TextRender;
  renderJsonTemplate(source: string, context: unknown): JsonRender;
}

/** Everything the executor needs from the rest of Herald. */
export interface ActionExecutorDeps {
  connections: ConnectionResolver;
  automations: AutomationControl;
  /** Sends an event through the normal ingest path. Throws `EVENT_VALIDATION_FAILED` for an invalid event. */
  emit(event: Event): Promise<void>;
  render: ActionTemplates;
  http: {
    /** `HERALD_ALLOW_PRIVATE_NETWORKS`; a webhook connection's `allow_private_network` also allows them. */
    allowPrivateNetworks: boolean;
    /** Per request, default 10 000. */
    timeoutMs: number;
  };
  uiUrl: string | null;
  /** Wall clock, µs. */
  now(): number;
  /** Limits the emitted events are checked against before they are sent (default: Herald's defaults). */
  eventLimits?: EventLimits;
}

/** What one action kind runs with: the job, the deps and its template context. */
export interface ActionContext {
  job: ActionJob;
  deps: ActionExecutorDeps;
  /** Built once per job, lazily: actions without templates never build it. */
  templateContext(): unknown;
}

/**
 * The related resource naming a connection, listed on the action's events.
 *
 * @example
 * connectionResource(connection) // { 'prefect.resource.id': 'herald.connection.<id>', 'prefect.resource.role': 'connection', … }
 */
export function connectionResource(connection: ResolvedConnection): RelatedResource {
  return {
    'prefect.resource.id': `herald.connection.${connection.id}`,
    'prefect.resource.role': 'connection',
    'prefect.resource.name': connection.name,
    'herald.connection.kind': connection.kind,
  };
}

/**
 * A failure that no retry can fix.
 *
 * @example
 * permanentFailure('The connection x does not exist') // { status: 'failed', reason: '…', details: {}, related: [], retryAfterMs: null }
 */
export function permanentFailure(reason: string, related: RelatedResource[] = [], details: Record<string, JsonValue> = {}): ActionOutcome {
  return { status: 'failed', reason, details, related, retryAfterMs: null };
}

/**
 * Renders one text template; a failure becomes the spec's "Template rendering failed" outcome (5.4).
 *
 * @example
 * const body = renderText(ctx, action.body, related);
 * if (!body.ok) return body.outcome;
 */
export function renderText(
  ctx: ActionContext,
  source: string,
  related: RelatedResource[],
): { ok: true; text: string } | { ok: false; outcome: ActionOutcome } {
  const result = ctx.deps.render.renderTemplate(source, ctx.templateContext());
  if (result.ok) return result;
  return { ok: false, outcome: templateFailure(result.error, source, related) };
}

/**
 * The outcome of a template that failed to render (spec 5.4): not retried, the error and source in details.
 *
 * @example
 * templateFailure('unexpected end of template', '{{ x', []) // reason 'Template rendering failed: unexpected end of template'
 */
export function templateFailure(error: string, source: string, related: RelatedResource[]): ActionOutcome {
  return permanentFailure(`Template rendering failed: ${error}`, related, { template_error: error, template_source: source });
}
