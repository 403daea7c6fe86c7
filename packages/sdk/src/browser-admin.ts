import type { Action, Automation, AutomationInput, Connection, JsonValue, ReceivedEvent } from '@herald/core';
import type { ConnectionCreateBody } from './connections-api.js';
import type { AutomationTrace, AutomationTraceEntry } from './automations-api.js';
import type { CapturedWebhookRequest, Webhook, WebhookReplay, WebhookSignaturePreset } from './webhooks-api.js';
import { HeraldApiError, isRecord } from './herald-api-error.js';
import type { HttpTransport } from './http-transport.js';

/**
 * What a client writes: an {@link AutomationInput} whose trigger may omit its ids (the server assigns
 * them) and whose optional fields may be left out.
 */
export type AutomationDraft = Partial<Omit<AutomationInput, 'trigger' | 'actions'>> & { name: string; trigger: Record<string, JsonValue>; actions: Action[] };

/** Herald's view types are the ones the Node SDK uses; only the names the UI knows them by differ. */
export type { AutomationTrace, AutomationTraceEntry };
export type WebhookView = Webhook;
export type CapturedRequest = CapturedWebhookRequest;

export type WebhookPreview = { ok: true; events: ReceivedEvent[]; rendered: string } | { ok: false; reason: string; error: string; rendered: string | null };

/** The writable fields of a webhook, as the UI edits them. `signature.secret` is write-only: leave it out to keep the stored one. */
export interface WebhookFields {
  name: string;
  description: string;
  template: string;
  enabled: boolean;
  require_api_key: boolean;
  signature: { preset: WebhookSignaturePreset; secret?: string; tolerance_seconds?: number } | null;
}

/** A template check: valid, or the line and message of the first problem. */
export type TemplateCheck = { ok: true } | { ok: false; line: number; message: string };

/** The automation and webhook routes, for the browser client. */
export interface AdminApi {
  listAutomations(): Promise<Automation[]>;
  getAutomation(id: string): Promise<Automation>;
  createAutomation(input: AutomationDraft): Promise<Automation>;
  replaceAutomation(id: string, input: AutomationDraft): Promise<Automation>;
  setAutomationEnabled(id: string, enabled: boolean): Promise<void>;
  deleteAutomation(id: string): Promise<void>;
  automationTrace(id: string): Promise<AutomationTrace>;
  /** Checks a Jinja template without rendering it. */
  validateTemplate(template: string): Promise<TemplateCheck>;
  listWebhooks(): Promise<WebhookView[]>;
  getWebhook(id: string): Promise<WebhookView>;
  createWebhook(input: Partial<WebhookFields> & { name: string; template: string }): Promise<WebhookView>;
  updateWebhook(id: string, fields: Partial<WebhookFields>): Promise<WebhookView>;
  /** A new URL; the old one stops at once. With `apiKey`, a new API key too (in the answer, once). */
  rotateWebhook(id: string, options?: { apiKey?: boolean }): Promise<WebhookView>;
  deleteWebhook(id: string): Promise<void>;
  /** Re-runs a captured request through the current template and emits its events. */
  replayWebhookRequest(id: string, requestId: string): Promise<WebhookReplay>;
  webhookPresets(): Promise<Record<string, string>>;
  webhookRequests(id: string): Promise<CapturedRequest[]>;
  /** Renders `template` (default: the stored one) against a captured request; emits nothing. */
  previewWebhook(id: string, input: { requestId: string; template?: string }): Promise<WebhookPreview>;
  /** The connections actions name by id, oldest first (secrets as names only). */
  listConnections(): Promise<Connection[]>;
  createConnection(body: ConnectionCreateBody): Promise<Connection>;
}

/**
 * The automation and webhook routes over the SDK's HTTP transport.
 *
 * @example
 * const admin = createAdminApi(http);
 * await admin.setAutomationEnabled(id, false);
 */
export function createAdminApi(http: HttpTransport): AdminApi {
  const at = (id: string) => encodeURIComponent(id);
  return {
    listAutomations: () => http.request<Automation[]>('POST', '/api/automations/filter', { sort: 'NAME_ASC' }),
    getAutomation: (id) => http.request<Automation>('GET', `/api/automations/${at(id)}`),
    createAutomation: (input) => http.request<Automation>('POST', '/api/automations', input),
    replaceAutomation: (id, input) => http.request<Automation>('PUT', `/api/automations/${at(id)}`, input),
    setAutomationEnabled: (id, enabled) => http.request<void>('PATCH', `/api/automations/${at(id)}`, { enabled }),
    deleteAutomation: (id) => http.request<void>('DELETE', `/api/automations/${at(id)}`),
    automationTrace: (id) => http.request<AutomationTrace>('GET', `/api/automations/${at(id)}/trace`),
    async validateTemplate(template) {
      try {
        await http.request<void>('POST', '/api/templates/validate', template);
        return { ok: true };
      } catch (error) {
        const problem = error instanceof HeraldApiError && error.status === 422 && isRecord(error.details) && isRecord(error.details.error) ? error.details.error : null;
        if (!problem) throw error;
        return { ok: false, line: typeof problem.line === 'number' ? problem.line : 0, message: typeof problem.message === 'string' ? problem.message : 'Invalid template' };
      }
    },
    listWebhooks: () => http.request<WebhookView[]>('GET', '/api/webhooks'),
    getWebhook: (id) => http.request<WebhookView>('GET', `/api/webhooks/${at(id)}`),
    createWebhook: (input) => http.request<WebhookView>('POST', '/api/webhooks', input),
    updateWebhook: (id, fields) => http.request<WebhookView>('PATCH', `/api/webhooks/${at(id)}`, fields),
    rotateWebhook: (id, options = {}) => http.request<WebhookView>('POST', `/api/webhooks/${at(id)}/rotate`, options.apiKey ? { api_key: true } : {}),
    deleteWebhook: (id) => http.request<void>('DELETE', `/api/webhooks/${at(id)}`),
    replayWebhookRequest: (id, requestId) => http.request<WebhookReplay>('POST', `/api/webhooks/${at(id)}/requests/${at(requestId)}/replay`),
    webhookPresets: () => http.request<Record<string, string>>('GET', '/api/webhooks/presets'),
    webhookRequests: (id) => http.request<CapturedRequest[]>('GET', `/api/webhooks/${at(id)}/requests`),
    previewWebhook: (id, input) =>
      http.request<WebhookPreview>('POST', `/api/webhooks/${at(id)}/preview`, { request_id: input.requestId, ...(input.template === undefined ? {} : { template: input.template }) }),
    listConnections: () => http.request<Connection[]>('GET', '/api/connections'),
    createConnection: (body) => http.request<Connection>('POST', '/api/connections', body),
  };
}
