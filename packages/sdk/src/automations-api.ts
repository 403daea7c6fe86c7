import type { Automation, AutomationFilter, AutomationSort, JsonValue, Posture } from '@herald/core';
import { HeraldApiError, isRecord } from './herald-api-error.js';
import type { HttpTransport } from './http-transport.js';

/** A duration as the server accepts it: seconds, an ISO-8601 duration (`PT10S`) or `HH:MM:SS`. */
export type DurationInput = number | string;

/** An event trigger as sent: everything but `posture` has a default (spec §2.2). */
export interface EventTriggerInput {
  type?: 'event';
  match?: Record<string, string | string[]>;
  match_related?: Record<string, string | string[]> | Record<string, string | string[]>[];
  after?: string[];
  expect?: string[];
  for_each?: string[];
  posture: Posture;
  threshold?: number;
  within?: DurationInput;
}

/** Composite triggers; `within` is required by the server, `null` for unbounded. */
export type CompositeTriggerInput =
  | { type: 'compound'; triggers: TriggerInput[]; require: 'any' | 'all' | number; within: DurationInput | null }
  | { type: 'sequence'; triggers: TriggerInput[]; within: DurationInput | null };

export type TriggerInput = EventTriggerInput | CompositeTriggerInput;

/** An action as sent, with the optional fields of spec §4.2 (templates are Jinja strings). */
export type ActionInput =
  | { type: 'do-nothing' }
  | { type: 'call-webhook'; block_document_id: string; payload?: string | Record<string, JsonValue> }
  | { type: 'send-notification'; block_document_id: string; subject?: string; body: string }
  | { type: 'pause-automation' | 'resume-automation'; source?: 'selected' | 'inferred'; automation_id?: string | null }
  | { type: 'emit-event'; event: string | Record<string, JsonValue> };

/** The body of a create or update; omitted optional fields take their defaults (spec §1.1). */
export interface AutomationInputBody {
  name: string;
  description?: string;
  enabled?: boolean;
  tags?: string[];
  trigger: TriggerInput;
  actions: ActionInput[];
  actions_on_trigger?: ActionInput[];
  actions_on_resolve?: ActionInput[];
}

export interface AutomationCreateBody extends AutomationInputBody {
  /** A resource id that owns the automation; `deleteOwnedBy` removes it with its owner. Create only. */
  owner_resource?: string | null;
}

export interface AutomationFilterOptions {
  filter?: AutomationFilter | null;
  sort?: AutomationSort;
  /** At most 200 (the default). */
  limit?: number;
  offset?: number;
}

/** One entry of an automation's trace: a matching decision, a window, a wait, a firing, an action outcome. */
export interface AutomationTraceEntry {
  /** ISO-8601 wall-clock time. */
  at: string;
  /** matched, rejected, counted, ignored, window, waiting, released, fired, resolved, action, … */
  kind: string;
  detail: Record<string, unknown>;
}

/** `GET /api/automations/{id}/trace`. */
export interface AutomationTrace {
  automation_id: string;
  /** Most entries kept; older ones are dropped first. */
  capacity: number;
  /** Entries recorded per kind since the trace began, dropped ones included. */
  totals: Record<string, number>;
  /** Oldest first. */
  entries: AutomationTraceEntry[];
}

export type TemplateCheck = { ok: true } | { ok: false; line: number; message: string };

/** `client.automations`: the automation API of spec §1.4. */
export interface AutomationsApi {
  /**
   * Creates an automation; the server fills defaults and assigns fresh trigger ids.
   *
   * @example
   * const automation = await client.automations.create({
   *   name: 'deploy failed',
   *   trigger: { posture: 'Reactive', expect: ['acme.deploy.failed'] },
   *   actions: [{ type: 'send-notification', block_document_id: slackId, body: '{{ event.resource.id }} failed' }],
   * });
   */
  create(body: AutomationCreateBody): Promise<Automation>;
  /** One automation, or null when no automation has this id. */
  get(id: string): Promise<Automation | null>;
  /**
   * Replaces an automation (PUT). Only the keys sent are written; trigger ids are regenerated, so open
   * windows restart.
   *
   * @example
   * await client.automations.update(id, { ...body, tags: ['prod'] });
   */
  update(id: string, body: AutomationInputBody): Promise<void>;
  /** PATCH `{enabled}`; open windows are kept. Re-validated: enabling may be refused (422). */
  patch(id: string, body: { enabled: boolean }): Promise<void>;
  enable(id: string): Promise<void>;
  disable(id: string): Promise<void>;
  delete(id: string): Promise<void>;
  /**
   * One page of automations matching a filter, sorted (default `NAME_ASC`, at most 200).
   *
   * @example
   * const prod = await client.automations.filter({ filter: { operator: 'and_', tags: { operator: 'and_', any_: ['prod'] } } });
   */
  filter(options?: AutomationFilterOptions): Promise<Automation[]>;
  /**
   * Every automation matching a filter, following pages of 200.
   *
   * @example
   * const [existing] = await client.automations.list({ operator: 'and_', name: { any_: ['nightly'] } });
   */
  list(filter?: AutomationFilter | null, sort?: AutomationSort): Promise<Automation[]>;
  /** The number of automations (no filter). */
  count(): Promise<number>;
  /** Automations related to (or owned by) a resource id. */
  relatedTo(resourceId: string): Promise<Automation[]>;
  /** Deletes the automations owned by a resource (no lifecycle events). */
  deleteOwnedBy(resourceId: string): Promise<void>;
  /**
   * Why did (or didn't) it fire: the automation's recent evaluation decisions.
   *
   * @example
   * for (const entry of (await client.automations.trace(id)).entries) console.log(entry.at, entry.kind);
   */
  trace(id: string): Promise<AutomationTrace>;
  /**
   * Checks a Jinja template without rendering it.
   *
   * @example
   * await client.automations.validateTemplate('{{ event.id }'); // { ok: false, line: 1, message: '…' }
   */
  validateTemplate(source: string): Promise<TemplateCheck>;
}

const path = (id: string) => `/api/automations/${encodeURIComponent(id)}`;

/** A 422 of the template endpoint: `{"error": {"line", "message"}}`, in the error's details. */
function templateError(error: unknown): TemplateCheck | null {
  if (!(error instanceof HeraldApiError) || error.status !== 422) return null;
  const details = error.details;
  const inner = isRecord(details) && isRecord(details.error) ? details.error : details;
  if (isRecord(inner) && typeof inner.line === 'number' && typeof inner.message === 'string') return { ok: false, line: inner.line, message: inner.message };
  return { ok: false, line: 0, message: error.message };
}

/**
 * Builds `client.automations` over the client's HTTP transport.
 *
 * @example
 * const automations = createAutomationsApi(http);
 */
export function createAutomationsApi(http: HttpTransport): AutomationsApi {
  const filter = (options: AutomationFilterOptions = {}) =>
    http.request<Automation[]>('POST', '/api/automations/filter', {
      sort: options.sort ?? 'NAME_ASC',
      limit: options.limit ?? 200,
      offset: options.offset ?? 0,
      ...(options.filter ? { automations: options.filter } : {}),
    });
  const patch = (id: string, body: { enabled: boolean }) => http.request<void>('PATCH', path(id), body);
  return {
    create: (body) => http.request<Automation>('POST', '/api/automations/', body),
    async get(id) {
      try {
        return await http.request<Automation>('GET', path(id));
      } catch (error) {
        if (error instanceof HeraldApiError && error.status === 404) return null;
        throw error;
      }
    },
    update: (id, body) => http.request<void>('PUT', path(id), body),
    patch,
    enable: (id) => patch(id, { enabled: true }),
    disable: (id) => patch(id, { enabled: false }),
    delete: (id) => http.request<void>('DELETE', path(id)),
    filter,
    async list(criteria = null, sort = 'NAME_ASC') {
      const all: Automation[] = [];
      for (;;) {
        const page = await filter({ filter: criteria, sort, limit: 200, offset: all.length });
        all.push(...page);
        if (page.length < 200) return all;
      }
    },
    count: () => http.request<number>('POST', '/api/automations/count'),
    relatedTo: (resourceId) => http.request<Automation[]>('GET', `/api/automations/related-to/${encodeURIComponent(resourceId)}`),
    deleteOwnedBy: (resourceId) => http.request<void>('DELETE', `/api/automations/owned-by/${encodeURIComponent(resourceId)}`),
    trace: (id) => http.request<AutomationTrace>('GET', `${path(id)}/trace`),
    async validateTemplate(source) {
      try {
        await http.request<void>('POST', '/api/templates/validate', source);
        return { ok: true };
      } catch (error) {
        const check = templateError(error);
        if (check) return check;
        throw error;
      }
    },
  };
}
