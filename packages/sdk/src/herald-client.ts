import { createEventValidator, type EventFilterInput, type ReceivedEvent } from '@herald/core';
import { createAutomationsApi, type AutomationsApi } from './automations-api.js';
import { resolveClientOptions, websocketUrl, type HeraldClientOptions } from './client-options.js';
import { createConnectionsApi, type ConnectionsApi } from './connections-api.js';
import { createWebhooksApi, type WebhooksApi } from './webhooks-api.js';
import { EventSender, type EmitReceipt } from './event-sender.js';
import { EventSubscription, type SubscribeOptions } from './event-subscription.js';
import { registerExitFlush } from './exit-flush.js';
import { HeraldApiError, HeraldClientError } from './herald-api-error.js';
import { HttpTransport } from './http-transport.js';
import { prepareEvent, type EmitEventInput } from './prepare-event.js';

/** One page of `POST /api/events/filter`. */
export interface EventPage {
  events: ReceivedEvent[];
  /** Events matching the filter (distinct resources with `resource.distinct`). */
  total: number;
  /** Absolute URL of the next page, or null on the last page. */
  next_page: string | null;
}

/** One row of a count-by answer. */
export interface EventCount {
  value: string;
  label: string;
  count: number;
  start_time: string;
  end_time: string;
}

export type Countable = 'day' | 'time' | 'event' | 'resource';
export type TimeUnit = 'week' | 'day' | 'hour' | 'minute' | 'second';

export interface QueryOptions {
  /** Events per request, at most 200. Default 200. */
  pageSize?: number;
  /** Stop after this many events in total. Default: all of them. */
  limit?: number;
}

export interface CountByOptions {
  /** Bucket unit for `time` (and `day`). Default `day`. */
  timeUnit?: TimeUnit;
  /** Bucket width in units, ≥ 0.01. Default 1. */
  timeInterval?: number;
}

/** A connection to one Herald server. Create it with {@link createHeraldClient}. */
export interface HeraldClient {
  /** The server's base URL, normalised (no trailing `/api`). */
  readonly url: string;
  /** Events emitted and not yet acknowledged or rejected. */
  readonly pending: number;
  /**
   * Emits an event over the client's websocket and resolves with the server's receipt once the event is
   * committed. `id` defaults to a UUIDv7 and `occurred` to now.
   *
   * - Throws at once (synchronously) `EVENT_VALIDATION_FAILED` for an invalid or too-large event, and
   *   `CLIENT_CLOSED` after `close()`: such an event is never queued.
   * - Rejects with `QUEUE_FULL` when `maxQueue` events are pending, with a `HeraldApiError` (status 422)
   *   when the server rejects the event, and with `CONNECTION_FAILED` / `CLIENT_CLOSED` when it was
   *   given up on.
   * - Fire-and-forget is safe: the promise never causes an unhandled rejection. A rejection that no
   *   caller observed (by `await`, `then` or `catch`) goes to the `onError` option instead.
   *
   * @example
   * const receipt = await client.emitEvent({
   *   event: 'acme.model.refreshed',
   *   resource: { 'prefect.resource.id': 'acme.model.churn' },
   *   payload: { rows: 1200 },
   * });
   * receipt.result; // 'inserted'
   */
  emitEvent(input: EmitEventInput): Promise<EmitReceipt>;
  /**
   * Resolves when every event emitted so far is acknowledged or rejected. With `timeoutMs`, rejects with
   * `TIMEOUT` after that long; nothing is dropped.
   *
   * @example
   * for (const row of rows) client.emitEvent({ event: 'acme.row.loaded', resource: { 'prefect.resource.id': row.id } });
   * await client.flush();
   */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Ends every subscription of this client, flushes, then closes the socket. With `timeoutMs`, events still unacknowledged then are rejected with
   * `CLIENT_CLOSED` and `close` rejects with `TIMEOUT`.
   *
   * @example
   * await client.close();
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Iterates over every event matching `filter`, following the server's page tokens.
   *
   * @example
   * for await (const event of client.query({ event: { prefix: ['acme.'] }, order: 'ASC' })) console.log(event.id);
   */
  query(filter?: EventFilterInput, options?: QueryOptions): AsyncIterableIterator<ReceivedEvent>;
  /**
   * The first page of a query, with the total count.
   *
   * @example
   * const { total } = await client.queryPage({ event: { name: ['acme.model.refreshed'] } }, { limit: 1 });
   */
  queryPage(filter?: EventFilterInput, options?: { limit?: number }): Promise<EventPage>;
  /**
   * Counts matching events by day, time bucket, event name or primary resource.
   *
   * @example
   * const perHour = await client.countBy('time', { occurred: { since: '2026-11-22T00:00:00Z' } }, { timeUnit: 'hour' });
   */
  countBy(countable: Countable, filter?: EventFilterInput, options?: CountByOptions): Promise<EventCount[]>;
  /**
   * One event by id, or null when no event has it.
   *
   * @example
   * const event = await client.getEvent(receipt.id);
   */
  getEvent(id: string): Promise<ReceivedEvent | null>;
  /**
   * Subscribes to matching events: a backfill of recent ones (unless `backfill: false`), then live
   * events. Reconnects on failure without losing or repeating events. Without `occurred.until` the live
   * stream has no end.
   *
   * @example
   * for await (const event of client.subscribe({ event: { prefix: ['acme.'] } }, { backfill: false })) {
   *   console.log(event.occurred, event.event);
   * }
   */
  subscribe(filter?: EventFilterInput, options?: SubscribeOptions): EventSubscription;
  /**
   * The server's version string (`GET /api/admin/version`).
   *
   * @example
   * await client.version(); // '0.1.0'
   */
  version(): Promise<string>;
  /**
   * Resolves when `GET /api/health` answers 2xx; rejects with the typed error otherwise.
   *
   * @example
   * await client.health();
   */
  health(): Promise<unknown>;
  /**
   * Automations: create, read, replace, enable/disable, delete, filter, trace; template checks.
   *
   * @example
   * await client.automations.disable(id);
   */
  readonly automations: AutomationsApi;
  /**
   * Connections: the webhook, Slack, Discord and email targets actions send to. Secrets are write-only.
   *
   * @example
   * for (const c of await client.connections.list()) console.log(c.name, c.kind);
   */
  readonly connections: ConnectionsApi;
  /**
   * Inbound webhooks: create, list, update, enable/disable, rotate, delete; captured requests, replay, preview.
   *
   * @example
   * const hook = await client.webhooks.create({ name: 'cron', template: '{"event": "cron.ran", "resource": {"prefect.resource.id": "cron.nightly"}}' });
   * console.log(hook.endpoint);
   */
  readonly webhooks: WebhooksApi;
}

/**
 * Creates a client. Nothing connects until the first call that needs the server.
 *
 * @example
 * import { createHeraldClient } from '@herald/sdk';
 *
 * const client = createHeraldClient({ url: 'http://127.0.0.1:4200', apiKey: process.env.HERALD_API_KEY });
 * client.emitEvent({ event: 'acme.deploy.finished', resource: { 'prefect.resource.id': 'acme.service.api' } });
 * await client.close();
 */
export function createHeraldClient(options: HeraldClientOptions = {}): HeraldClient {
  const resolved = resolveClientOptions(options);
  const validator = createEventValidator(resolved.limits);
  const http = new HttpTransport({ baseUrl: resolved.url, apiKey: resolved.apiKey, timeoutMs: resolved.requestTimeoutMs });
  const sender = new EventSender({
    url: websocketUrl(resolved.url, '/api/events/in?acks=true'),
    token: resolved.apiKey,
    maxQueue: resolved.maxQueue,
    maxInFlight: resolved.maxInFlight,
    backoff: resolved.backoff,
    maxConnectAttempts: resolved.maxConnectAttempts,
    heartbeatIntervalMs: resolved.heartbeatIntervalMs,
    report: resolved.onError,
  });
  const unregisterExit = resolved.flushOnExit ? registerExitFlush(sender, resolved.exitFlushTimeoutMs) : () => undefined;
  const prepareOptions = { validator, limits: resolved.limits, now: resolved.now, ...(resolved.newId ? { newId: resolved.newId } : {}) };

  const subscriptions = new Set<EventSubscription>();
  const queryPage = (filter: EventFilterInput | undefined, limit: number | undefined) =>
    http.request<EventPage>('POST', '/api/events/filter', { filter: filter ?? null, ...(limit === undefined ? {} : { limit }) });

  return {
    url: resolved.url,
    get pending() {
      return sender.pending;
    },
    emitEvent(input) {
      if (sender.closed) throw new HeraldClientError('CLIENT_CLOSED', 'The Herald client is closed');
      return sender.send(prepareEvent(input, prepareOptions));
    },
    flush: (opts = {}) => sender.flush(opts.timeoutMs),
    async close(opts = {}) {
      unregisterExit();
      await Promise.all([...subscriptions].map((s) => s.close()));
      await sender.close(opts.timeoutMs);
    },
    query(filter, opts = {}) {
      return iteratePages(http, queryPage, filter, opts);
    },
    queryPage: (filter, opts = {}) => queryPage(filter, opts.limit),
    countBy: (countable, filter, opts = {}) =>
      http.request<EventCount[]>('POST', `/api/events/count-by/${encodeURIComponent(countable)}`, {
        filter: filter ?? {},
        time_unit: opts.timeUnit ?? 'day',
        time_interval: opts.timeInterval ?? 1,
      }),
    async getEvent(id) {
      try {
        return await http.request<ReceivedEvent>('GET', `/api/events/${encodeURIComponent(id)}`);
      } catch (error) {
        if (error instanceof HeraldApiError && error.status === 404) return null;
        throw error;
      }
    },
    subscribe(filter = {}, opts = {}) {
      const subscription: EventSubscription = new EventSubscription(filter, opts, {
        url: websocketUrl(resolved.url, '/api/events/out'),
        token: resolved.apiKey,
        backoff: resolved.backoff,
        maxConnectAttempts: resolved.maxConnectAttempts,
        report: resolved.onError,
        now: resolved.now,
        onEnd: () => subscriptions.delete(subscription),
      });
      subscriptions.add(subscription);
      return subscription;
    },
    version: () => http.request<string>('GET', '/api/admin/version'),
    health: () => http.request<unknown>('GET', '/api/health'),
    automations: createAutomationsApi(http),
    connections: createConnectionsApi(http),
    webhooks: createWebhooksApi(http),
  };
}

async function* iteratePages(
  http: HttpTransport,
  firstPage: (filter: EventFilterInput | undefined, limit: number | undefined) => Promise<EventPage>,
  filter: EventFilterInput | undefined,
  options: QueryOptions,
): AsyncGenerator<ReceivedEvent> {
  const limit = options.limit ?? Infinity;
  if (limit <= 0) return;
  const pageSize = options.pageSize ?? 200;
  let page = await firstPage(filter, Math.min(pageSize, limit));
  let yielded = 0;
  for (;;) {
    for (const event of page.events) {
      yield event;
      if (++yielded >= limit) return;
    }
    if (!page.next_page || page.events.length === 0) return;
    // Only the token is taken from the link: behind a proxy the server may not know its public address.
    const token = new URL(page.next_page, 'http://herald.invalid').searchParams.get('page-token');
    if (!token) throw new HeraldClientError('PROTOCOL_ERROR', `The next_page link carries no page-token: ${page.next_page}`);
    page = await http.request<EventPage>('GET', `/api/events/filter/next?page-token=${encodeURIComponent(token)}`);
  }
}
