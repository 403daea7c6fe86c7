import type { EventFilterInput, ReceivedEvent } from '@herald/core';
import { createAdminApi, type AdminApi } from './browser-admin.js';
import { BrowserSubscription, type BrowserSubscriptionHandlers } from './browser-subscription.js';
import { HeraldApiError, HeraldClientError } from './herald-api-error.js';
import type { Countable, CountByOptions, EventCount, EventPage as CountedEventPage } from './herald-client.js';
import { HttpTransport } from './http-transport.js';

export type { AdminApi, AutomationDraft, AutomationTrace, AutomationTraceEntry, CapturedRequest, TemplateCheck, WebhookFields, WebhookPreview, WebhookView } from './browser-admin.js';
export type { ConnectionCreateBody } from './connections-api.js';
export type { WebhookReplay, WebhookSignaturePreset } from './webhooks-api.js';
export { BrowserSubscription, type BrowserSubscriptionHandlers, type BrowserSubscriptionOptions } from './browser-subscription.js';
export { HeraldApiError, HeraldClientError } from './herald-api-error.js';
export type { Countable, CountByOptions, EventCount, TimeUnit } from './herald-client.js';

/** A page of events; `total` is null when the first page was asked with `count: false`. */
export interface EventPage extends Omit<CountedEventPage, 'total'> {
  total: number | null;
}
export type { Action, Automation, AutomationInput, Connection, ConnectionKind, EventFilterInput, EventTrigger, JsonValue, ReceivedEvent, RelatedResource, Resource, Trigger } from '@herald/core';

/** Options of {@link createBrowserClient}. */
export interface BrowserClientOptions {
  /** The server's origin, e.g. `location.origin`. */
  url: string;
  /** The API key (`hk_…`), when the server has keys. */
  apiKey?: string;
  /** Deadline of each HTTP request. Default 30 000 ms. */
  requestTimeoutMs?: number;
}

/** The read side of the Herald API for browsers: no Node modules, the browser's own `fetch` and `WebSocket`. */
export interface BrowserClient extends AdminApi {
  readonly url: string;
  /**
   * The first page of a query, with the total. `count: false` skips the total (Herald only): over a
   * broad filter, counting every match can take far longer than reading one page.
   */
  queryPage(filter: EventFilterInput, options?: { limit?: number; count?: boolean }): Promise<EventPage>;
  /** The page a `next_page` link points at (keyset pagination). Only its token is used. */
  nextPage(nextPageUrl: string): Promise<EventPage>;
  countBy(countable: Countable, filter: EventFilterInput, options?: CountByOptions): Promise<EventCount[]>;
  /** One event by id, or null when no event has it. */
  getEvent(id: string): Promise<ReceivedEvent | null>;
  /** Resolves when `GET /api/health` answers 2xx (it needs no key). */
  health(): Promise<unknown>;
  /** Resolves when an authenticated route answers: rejects with `AUTH_REQUIRED`/`AUTH_INVALID` when the key is missing or wrong. */
  version(): Promise<string>;
  /** Streams matching events (backfill, then live) until `close()`. */
  subscribe(filter: EventFilterInput, handlers: BrowserSubscriptionHandlers, options?: { backfill?: boolean }): BrowserSubscription;
}

/**
 * Creates a browser client. It reuses the SDK's HTTP transport and typed errors and replaces the
 * Node-only websocket (`ws`) with the browser's `WebSocket`.
 *
 * @example
 * import { createBrowserClient } from '@herald/sdk/browser';
 *
 * const client = createBrowserClient({ url: location.origin, apiKey: localStorage.getItem('herald.apiKey') ?? undefined });
 * const { events, next_page } = await client.queryPage({ event: { prefix: ['acme.'] } }, { limit: 100 });
 */
export function createBrowserClient(options: BrowserClientOptions): BrowserClient {
  const url = options.url.replace(/\/+$/, '').replace(/\/api$/, '');
  const http = new HttpTransport({ baseUrl: url, apiKey: options.apiKey, timeoutMs: options.requestTimeoutMs ?? 30_000 });
  return {
    ...createAdminApi(http),
    url,
    queryPage: (filter, opts = {}) =>
      http.request<EventPage>('POST', opts.count === false ? '/api/events/filter?count=false' : '/api/events/filter', {
        filter,
        ...(opts.limit === undefined ? {} : { limit: opts.limit }),
      }),
    nextPage(nextPageUrl) {
      const token = new URL(nextPageUrl, url).searchParams.get('page-token');
      if (!token) return Promise.reject(new HeraldClientError('PROTOCOL_ERROR', `The next_page link carries no page-token: ${nextPageUrl}`));
      return http.request<EventPage>('GET', `/api/events/filter/next?page-token=${encodeURIComponent(token)}`);
    },
    countBy: (countable, filter, opts = {}) =>
      http.request<EventCount[]>('POST', `/api/events/count-by/${encodeURIComponent(countable)}`, {
        filter,
        time_unit: opts.timeUnit ?? 'day',
        time_interval: opts.timeInterval ?? 1,
      }),
    async getEvent(id) {
      try {
        return await http.request<ReceivedEvent>('GET', `/api/events/${encodeURIComponent(id)}`);
      } catch (error) {
        if (error instanceof HeraldApiError && (error.status === 404 || error.status === 422)) return null;
        throw error;
      }
    },
    health: () => http.request<unknown>('GET', '/api/health'),
    version: () => http.request<string>('GET', '/api/admin/version'),
    subscribe: (filter, handlers, opts = {}) =>
      new BrowserSubscription({ url: `${url.replace(/^http/, 'ws')}/api/events/out`, token: options.apiKey, filter, backfill: opts.backfill ?? true }, handlers),
  };
}
