import type { JsonValue } from '@herald/core';
import { HeraldApiError } from './herald-api-error.js';
import type { HttpTransport } from './http-transport.js';

/** The signature schemes a webhook can require of its callers. */
export type WebhookSignaturePreset = 'standard-webhooks' | 'github' | 'stripe';

/** A webhook as the server shows it. `api_key` appears only in the answer that issued it. */
export interface Webhook {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  template: string;
  /** 22 random base64url characters; the capability in the URL. */
  slug: string;
  /** The full URL callers send requests to. */
  endpoint: string;
  require_api_key: boolean;
  api_key_prefix: string | null;
  signature: { preset: WebhookSignaturePreset; tolerance_seconds: number; has_secret: true } | null;
  /** Requests per second; null for the server's default. */
  rate_limit: number | null;
  created: string;
  updated: string;
  api_key?: string;
}

/** The writable fields of a webhook. */
export interface WebhookBody {
  name?: string;
  description?: string;
  enabled?: boolean;
  /** Jinja source rendering one JSON event (or a JSON object, kept as its text). */
  template?: string | Record<string, JsonValue>;
  /** True: callers must send `Authorization: Bearer <key>`; the server issues the key once. */
  require_api_key?: boolean;
  /** Verify callers' signatures; `secret` is write-only (leave it out on update to keep it). */
  signature?: { preset: WebhookSignaturePreset; secret?: string; tolerance_seconds?: number } | null;
  rate_limit?: number | null;
}

/** One captured request. Credentials are redacted. */
export interface CapturedWebhookRequest {
  id: string;
  webhook_id: string;
  received: string;
  method: string;
  headers: Record<string, string>;
  query: string;
  body: string;
  body_encoding: 'utf8' | 'base64';
  body_bytes: number;
  body_truncated: boolean;
  outcome: 'accepted' | 'failed' | 'unauthorized' | 'handshake';
  status: number;
  event_ids: string[];
  reason: string | null;
  error: string | null;
}

export type WebhookReplay = { outcome: 'accepted'; event_ids: string[] } | { outcome: 'failed'; reason: string; error: string };

export type WebhookPreview =
  | { ok: true; events: Record<string, JsonValue>[]; rendered: string | null }
  | { ok: false; reason: string; error: string; rendered: string | null };

/** A preview: another template (default: the webhook's), against a captured request or one given here (default: the newest capture). */
export interface WebhookPreviewBody {
  template?: string;
  request_id?: string;
  request?: { method?: string; headers?: Record<string, string>; query?: string; body?: string | Record<string, JsonValue> };
}

/** `client.webhooks`: inbound webhooks that turn HTTP requests into events. */
export interface WebhooksApi {
  /**
   * Creates a webhook; with `require_api_key`, the answer carries the key (only this once).
   *
   * @example
   * const hook = await client.webhooks.create({ name: 'ci', template: '{"event": "ci.{{ body.status }}", "resource": {"prefect.resource.id": "ci.{{ body.repo }}"}}' });
   * await fetch(hook.endpoint, { method: 'POST', body: JSON.stringify({ status: 'passed', repo: 'api' }) });
   */
  create(body: WebhookBody & { name: string; template: WebhookBody['template'] }): Promise<Webhook>;
  /** Every webhook, or those with one of `names` and/or the given `enabled`. */
  list(filter?: { names?: string[]; enabled?: boolean }): Promise<Webhook[]>;
  /** One webhook, or null when no webhook has this id. */
  get(id: string): Promise<Webhook | null>;
  /** Changes the fields given. */
  update(id: string, body: WebhookBody): Promise<Webhook>;
  enable(id: string): Promise<Webhook>;
  disable(id: string): Promise<Webhook>;
  /**
   * A new URL (the old one stops at once); with `apiKey`, a new API key too.
   *
   * @example
   * const { endpoint } = await client.webhooks.rotate(id);
   */
  rotate(id: string, options?: { apiKey?: boolean }): Promise<Webhook>;
  delete(id: string): Promise<void>;
  /** The last captured requests, newest first. */
  requests(id: string, options?: { limit?: number }): Promise<CapturedWebhookRequest[]>;
  /** Re-runs a captured request through the current template (its events are emitted). */
  replay(id: string, requestId: string): Promise<WebhookReplay>;
  /** Renders without emitting anything. */
  preview(id: string, body?: WebhookPreviewBody): Promise<WebhookPreview>;
}

const path = (id: string) => `/api/webhooks/${encodeURIComponent(id)}`;

/**
 * Builds `client.webhooks` over the client's HTTP transport.
 *
 * @example
 * const webhooks = createWebhooksApi(http);
 */
export function createWebhooksApi(http: HttpTransport): WebhooksApi {
  const patch = (id: string, body: WebhookBody) => http.request<Webhook>('PATCH', path(id), body);
  return {
    create: (body) => http.request<Webhook>('POST', '/api/webhooks', body),
    list(filter = {}) {
      const query = new URLSearchParams();
      for (const name of filter.names ?? []) query.append('name', name);
      if (filter.enabled !== undefined) query.set('enabled', String(filter.enabled));
      const text = query.toString();
      return http.request<Webhook[]>('GET', `/api/webhooks${text ? `?${text}` : ''}`);
    },
    async get(id) {
      try {
        return await http.request<Webhook>('GET', path(id));
      } catch (error) {
        if (error instanceof HeraldApiError && error.status === 404) return null;
        throw error;
      }
    },
    update: patch,
    enable: (id) => patch(id, { enabled: true }),
    disable: (id) => patch(id, { enabled: false }),
    rotate: (id, options = {}) => http.request<Webhook>('POST', `${path(id)}/rotate`, { api_key: options.apiKey === true }),
    delete: (id) => http.request<void>('DELETE', path(id)),
    requests: (id, options = {}) => http.request<CapturedWebhookRequest[]>('GET', `${path(id)}/requests${options.limit ? `?limit=${options.limit}` : ''}`),
    replay: (id, requestId) => http.request<WebhookReplay>('POST', `${path(id)}/requests/${encodeURIComponent(requestId)}/replay`),
    preview: (id, body = {}) => http.request<WebhookPreview>('POST', `${path(id)}/preview`, body),
  };
}
