import type { Automation, Firing, ReceivedEvent } from '@herald/core';
import { ArrayValue, NULL, UNDEFINED, str, type RuntimeValue } from './jinja-runtime.js';
import { jsonValue } from './json-data-values.js';
import { DataValue, HeadersValue, LabelDiverValue, ResourceValue, toRuntimeValue } from './template-values.js';

/** Settings a context carries for the filters, out of the templates' reach (a symbol key). */
export const TEMPLATE_OPTIONS = Symbol('herald.templateOptions');

export interface TemplateOptions {
  /** Base URL of Herald's UI (`ui_url`, `event.url`), or null when not configured. */
  uiUrl: string | null;
  /** Wall clock in ms since the epoch, for the humanize filters (default `Date.now`). */
  now?: () => number;
}

/**
 * The variables a template sees. Any plain object works (its data is converted at each render); the
 * builders below hold runtime values already, and add Herald's helpers and the filter settings.
 */
export type TemplateContext = Readonly<Record<string, unknown>> & { readonly [TEMPLATE_OPTIONS]?: TemplateOptions };

function eventValue(event: ReceivedEvent, uiUrl: string | null): DataValue {
  const resource = new ResourceValue(event.resource);
  const related = event.related.map((labels) => new ResourceValue(labels));
  const byRole = (): Map<string, ResourceValue[]> => {
    const roles = new Map<string, ResourceValue[]>();
    for (const item of related) {
      const role = item.labels['prefect.resource.role'] ?? '';
      roles.set(role, [...(roles.get(role) ?? []), item]);
    }
    return roles;
  };
  const fields = new Map<string, RuntimeValue>([
    ['occurred', str(event.occurred)],
    ['event', str(event.event)],
    ['resource', resource],
    ['related', new ArrayValue(related)],
    ['payload', toRuntimeValue(event.payload)],
    ['id', str(event.id)],
    ['follows', event.follows === null ? NULL : str(event.follows)],
    ['received', str(event.received)],
  ]);
  const extras = new Map<string, () => RuntimeValue>([
    ['url', () => (uiUrl === null ? NULL : str(`${uiUrl}/events/${encodeURIComponent(event.id)}`))],
    ['involved_resources', () => new ArrayValue([resource, ...related])],
    ['resource_in_role', () => new DataValue(new Map([...byRole()].map(([role, list]) => [role, list[0] ?? UNDEFINED])), null)],
    ['resources_in_role', () => new DataValue(new Map([...byRole()].map(([role, list]) => [role, new ArrayValue(list)])), null)],
  ]);
  return new DataValue(fields, 'event', extras);
}

function firingValue(firing: Firing, event: (e: ReceivedEvent) => DataValue): DataValue {
  return new DataValue(
    new Map<string, RuntimeValue>([
      ['id', str(firing.id)],
      ['trigger', toRuntimeValue(firing.trigger)],
      ['trigger_states', toRuntimeValue(firing.trigger_states)],
      ['triggered', str(firing.triggered)],
      ['triggering_labels', LabelDiverValue.of(firing.triggering_labels)],
      ['triggering_firings', new ArrayValue(firing.triggering_firings.map((child) => firingValue(child, event)))],
      ['triggering_event', firing.triggering_event === null ? NULL : event(firing.triggering_event)],
      ['triggering_value', toRuntimeValue(firing.triggering_value)],
    ]),
    null,
  );
}

function flatten(firing: Firing): Firing[] {
  return [firing, ...firing.triggering_firings.flatMap(flatten)];
}

/**
 * The context of an action's templates (spec §5.2): `automation`, `event` (with Prefect's helpers),
 * `labels` (the label diver over the firing's labels), `firing`, `firings` and `events`.
 * Orchestrator objects (`flow_run`, …) do not exist in Herald and render empty.
 *
 * @example
 * const context = buildActionTemplateContext({ automation, firing, event: firing.triggering_event, uiUrl: null });
 * renderTemplate('{{ labels.i.am.so }}', context) // { ok: true, text: 'triggered' }
 */
export function buildActionTemplateContext(input: {
  automation: Automation;
  firing: Firing;
  event: ReceivedEvent | null;
  uiUrl: string | null;
  now?: () => number;
}): TemplateContext {
  const { uiUrl } = input;
  const events = new Map<string, DataValue>();
  const event = (e: ReceivedEvent): DataValue => {
    let value = events.get(e.id);
    if (value === undefined) events.set(e.id, (value = eventValue(e, uiUrl)));
    return value;
  };
  const automationData = toRuntimeValue(input.automation) as DataValue;
  const firings = flatten(input.firing);
  return {
    automation: new DataValue(automationData.value, 'automation'),
    event: input.event === null ? UNDEFINED : event(input.event),
    labels: LabelDiverValue.of(input.firing.triggering_labels),
    firing: firingValue(input.firing, event),
    firings: new ArrayValue(firings.map((f) => firingValue(f, event))),
    events: new ArrayValue(firings.flatMap((f) => (f.triggering_event === null ? [] : [event(f.triggering_event)]))),
    [TEMPLATE_OPTIONS]: { uiUrl, ...(input.now === undefined ? {} : { now: input.now }) },
  };
}

/** An inbound HTTP request as a webhook template sees it (spec A5, DECISIONS 19). */
export interface WebhookRequestInput {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed body: JSON value, form fields, or the raw text when nothing parsed. */
  body: unknown;
  query: Record<string, string | string[] | undefined>;
  raw_body: string;
  uiUrl?: string | null;
}

/**
 * The context of a webhook template: `method` (upper-case), `headers` (case-insensitive, without
 * `Authorization`), `body`, `query` and `raw_body`.
 *
 * @example
 * const context = buildWebhookTemplateContext({ method: 'post', headers: { 'X-Id': '7' }, body: {}, query: {}, raw_body: '{}' });
 * renderTemplate("{{ headers['x-id'] }}", context) // { ok: true, text: '7' }
 */
export function buildWebhookTemplateContext(input: WebhookRequestInput): TemplateContext {
  const headers = new Map<string, RuntimeValue>();
  for (const [name, value] of Object.entries(input.headers)) {
    const key = name.toLowerCase();
    if (key === 'authorization' || value === undefined) continue;
    headers.set(key, str(Array.isArray(value) ? value.join(', ') : value));
  }
  return {
    method: input.method.toUpperCase(),
    headers: new HeadersValue(headers),
    body: jsonValue(input.body),
    query: jsonValue(input.query),
    raw_body: input.raw_body,
    [TEMPLATE_OPTIONS]: { uiUrl: input.uiUrl ?? null },
  };
}
