import type { EventFilterInput, ReceivedEvent } from '@herald/core';
import { backoffDelay } from './backoff.js';
import { HeraldApiError, HeraldClientError, isRecord } from './herald-api-error.js';

/** What a {@link BrowserSubscription} reports. */
export interface BrowserSubscriptionHandlers {
  /** Each matching event once, in arrival order (backfill first, then live). */
  onEvent: (event: ReceivedEvent) => void;
  /** `connecting` on every (re)connection attempt, `live` once the filter is sent. */
  onStatus?: (status: 'connecting' | 'live' | 'closed') => void;
  /** A refusal (bad key, invalid filter): the subscription has ended. Outages are retried instead. */
  onError?: (error: HeraldClientError) => void;
}

export interface BrowserSubscriptionOptions {
  /** `ws(s)://…/api/events/out`. */
  url: string;
  token: string | undefined;
  filter: EventFilterInput;
  /** Replay recent matching events first. Default true. */
  backfill?: boolean;
  /** On a reconnect, replay from the newest `occurred` seen minus this overlap, in ms. Default 60 000. */
  resumeOverlapMs?: number;
}

/**
 * A live subscription to `/api/events/out` over the browser's own `WebSocket`: the same protocol as
 * the Node `EventSubscription` (auth message, then filter), reconnecting with backoff and resuming from
 * the newest event seen minus an overlap, with duplicates dropped by id. Callback-based, because a UI
 * reacts to events rather than awaiting them.
 *
 * @example
 * const sub = new BrowserSubscription({ url: 'ws://127.0.0.1:4200/api/events/out', token: undefined, filter: {} }, {
 *   onEvent: (event) => console.log(event.event),
 * });
 * sub.close();
 */
export class BrowserSubscription {
  readonly #options: Required<Omit<BrowserSubscriptionOptions, 'token'>> & { token: string | undefined };
  readonly #handlers: BrowserSubscriptionHandlers;
  readonly #seen = new Set<string>();
  #socket: WebSocket | null = null;
  #closed = false;
  #failures = 0;
  #connectedOnce = false;
  #watermark: string | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: BrowserSubscriptionOptions, handlers: BrowserSubscriptionHandlers) {
    this.#options = { backfill: true, resumeOverlapMs: 60_000, ...options };
    this.#handlers = handlers;
    this.#connect();
  }

  /** Ends the subscription; no handler is called afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#socket?.close(1000);
    this.#socket = null;
    this.#handlers.onStatus?.('closed');
  }

  #connect(): void {
    if (this.#closed) return;
    this.#handlers.onStatus?.('connecting');
    const ws = new WebSocket(this.#options.url, ['prefect']);
    this.#socket = ws;
    let authenticated = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: this.#options.token ?? null }));
    ws.onmessage = (message: MessageEvent) => {
      if (this.#socket !== ws) return;
      const data = parse(message.data);
      if (!authenticated) {
        if (data?.type !== 'auth_success') return this.#fail(new HeraldApiError(401, 'AUTH_INVALID', 'The server refused the API key for the live stream'));
        authenticated = true;
        this.#failures = 0;
        const resuming = this.#connectedOnce;
        this.#connectedOnce = true;
        ws.send(JSON.stringify({ type: 'filter', filter: this.#filterFor(resuming), backfill: resuming || this.#options.backfill }));
        this.#handlers.onStatus?.('live');
        return;
      }
      if (data?.type === 'event' && isRecord(data.event) && typeof data.event.id === 'string') this.#deliver(data.event as unknown as ReceivedEvent);
    };
    ws.onclose = (event: { code: number; reason: string }) => {
      if (this.#socket !== ws || this.#closed) return;
      this.#socket = null;
      if (event.code === 1008) return this.#fail(new HeraldApiError(401, event.reason.startsWith('Auth required') ? 'AUTH_REQUIRED' : 'AUTH_INVALID', `The live stream refused the API key (${event.reason})`));
      if (event.code === 1002 || event.code === 1003 || event.code === 1007) return this.#fail(new HeraldApiError(422, 'FILTER_INVALID', `The server refused the live filter (${event.reason})`));
      this.#timer = setTimeout(() => this.#connect(), backoffDelay(this.#failures++));
    };
  }

  #filterFor(resuming: boolean): EventFilterInput {
    if (!resuming || this.#watermark === null) return this.#options.filter;
    const since = new Date(Date.parse(this.#watermark) - this.#options.resumeOverlapMs).toISOString();
    return { ...this.#options.filter, occurred: { ...this.#options.filter.occurred, since } };
  }

  #deliver(event: ReceivedEvent): void {
    if (this.#seen.has(event.id)) return;
    this.#seen.add(event.id);
    if (this.#watermark === null || event.occurred > this.#watermark) this.#watermark = event.occurred;
    this.#handlers.onEvent(event);
  }

  #fail(error: HeraldClientError): void {
    this.close();
    this.#handlers.onError?.(error);
  }
}

function parse(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}
