import { formatDateTime, parseDateTime, toMicros, type EventFilterInput, type ReceivedEvent } from '@herald/core';
import type WebSocket from 'ws';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { HeraldClientError, isRecord } from './herald-api-error.js';
import { closeError, isRetryable, openPrefectSocket, parseMessage } from './prefect-socket.js';

/** Options of `client.subscribe`. */
export interface SubscribeOptions {
  /** Replay matching stored events first (the server bounds the window, 15 minutes by default). Default true. */
  backfill?: boolean;
  /**
   * Replay only this many of the newest stored events (still oldest first), as `tail -f` starts with
   * the last lines; 0 replays none. Applies to the first connection: a reconnect replays everything
   * since the newest event seen, so that nothing is lost. Default: no limit.
   */
  backfillLimit?: number;
  /** On a reconnect, replay from the newest `occurred` seen minus this overlap, in ms. Default 60 000. */
  resumeOverlapMs?: number;
  /**
   * What happens when this subscriber falls behind the server's buffer. By default (false) the server
   * closes the socket (1013) and the subscription reconnects and backfills from where it was, so nothing
   * inside the backfill window is lost. With true, the server skips events and says how many with a
   * `dropped` message, which goes to `onDropped` (or the client's `onError`).
   */
  dropNotices?: boolean;
  /** Called with the count of each `dropped` message (only with `dropNotices: true`). */
  onDropped?: (count: number) => void;
  /** Events buffered before the socket stops reading (the server then reports drops). Default 1 000. */
  highWaterMark?: number;
}

export interface SubscriptionContext {
  /** `ws(s)://…/api/events/out`; `?notices=true` is added for `dropNotices`. */
  url: string;
  token: string | undefined;
  backoff: BackoffOptions;
  maxConnectAttempts: number;
  report: (error: HeraldClientError) => void;
  now: () => number;
  /** Called once when the subscription ends, however it ends. */
  onEnd?: () => void;
}

/**
 * A live subscription to `/api/events/out`: an async iterator of events that reconnects on failure,
 * resuming from the newest `occurred` seen minus an overlap, and drops events already delivered (by
 * id), so a reconnect neither loses nor repeats events inside the overlap.
 *
 * Iteration ends when `close()` is called or the loop breaks. It throws a `HeraldClientError` when the
 * server refuses the subscription (bad key, invalid filter) or cannot be reached within
 * `maxConnectAttempts`.
 *
 * @example
 * const subscription = client.subscribe({ event: { prefix: ['acme.'] } });
 * for await (const event of subscription) console.log(event.event);
 */
export class EventSubscription implements AsyncIterableIterator<ReceivedEvent> {
  readonly #filter: EventFilterInput;
  readonly #options: Required<Omit<SubscribeOptions, 'onDropped' | 'backfillLimit'>> & Pick<SubscribeOptions, 'onDropped' | 'backfillLimit'>;
  readonly #context: SubscriptionContext;
  readonly #buffer: ReceivedEvent[] = [];
  readonly #seen = new Map<string, number>();
  #pruneAt = 10_000;
  /** Callers of `next()` waiting for an event, oldest first. */
  readonly #waiters: { resolve: (r: IteratorResult<ReceivedEvent>) => void; reject: (e: unknown) => void }[] = [];
  #socket: WebSocket | null = null;
  #started = false;
  #connectedOnce = false;
  #done = false;
  #error: Error | null = null;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #watermark: number | null = null;
  #startedAt = 0;
  #dropped = 0;
  #ready: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void };

  constructor(filter: EventFilterInput, options: SubscribeOptions, context: SubscriptionContext) {
    this.#filter = filter;
    this.#options = { backfill: true, resumeOverlapMs: 60_000, highWaterMark: 1_000, dropNotices: false, ...options };
    this.#context = context;
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined); // surfaced through next() as well; never an unhandled rejection
    this.#ready = { promise, resolve, reject };
  }

  /** How many events the server reported as dropped because this subscriber fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Connects now (instead of on the first `next()`); resolves once the filter has been sent. */
  ready(): Promise<void> {
    this.#start();
    return this.#ready.promise;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ReceivedEvent>> {
    const event = this.#buffer.shift();
    if (event) {
      if (this.#buffer.length <= this.#options.highWaterMark / 2) this.#socket?.resume();
      return Promise.resolve({ value: event, done: false });
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    this.#start();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  async return(): Promise<IteratorResult<ReceivedEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  /** Ends the subscription: the socket closes and iteration finishes after the buffered events. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const ws = this.#socket;
    this.#socket = null;
    ws?.close(1000);
    this.#ready.reject(new HeraldClientError('CLIENT_CLOSED', 'The subscription was closed'));
    this.#settleWaiters();
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#startedAt = toMicros(this.#context.now());
    this.#connect();
  }

  #connect(): void {
    this.#retryTimer = null;
    if (this.#done) return;
    const url = this.#options.dropNotices ? `${this.#context.url}?notices=true` : this.#context.url;
    openPrefectSocket(url, { token: this.#context.token }).then(
      (ws) => this.#attach(ws),
      (error: unknown) => this.#onFailure(error),
    );
  }

  #attach(ws: WebSocket): void {
    if (this.#done) {
      ws.close(1000);
      return;
    }
    this.#socket = ws;
    this.#failures = 0;
    const resuming = this.#connectedOnce;
    this.#connectedOnce = true;
    ws.on('message', (data) => this.#onMessage(parseMessage(data)));
    ws.on('error', () => undefined); // 'close' follows every error
    ws.on('close', (code, reason) => {
      if (this.#socket !== ws) return;
      this.#socket = null;
      this.#onFailure(closeError(this.#context.url, code, reason.toString()));
    });
    const limit = resuming || this.#options.backfillLimit === undefined ? {} : { backfill_limit: this.#options.backfillLimit };
    ws.send(JSON.stringify({ type: 'filter', filter: this.#connectionFilter(resuming), backfill: resuming || this.#options.backfill, ...limit }));
    if (this.#buffer.length >= this.#options.highWaterMark) ws.pause();
    this.#ready.resolve();
  }

  /** The first connection sends the caller's filter; a reconnect replays from the watermark minus the overlap. */
  #connectionFilter(resuming: boolean): EventFilterInput {
    if (!resuming) return this.#filter;
    const overlap = this.#options.resumeOverlapMs * 1000;
    let since = (this.#watermark ?? this.#startedAt) - overlap;
    const asked = this.#filter.occurred?.since ? parseDateTime(this.#filter.occurred.since) : null;
    if (asked !== null && asked > since) since = asked;
    return { ...this.#filter, occurred: { ...this.#filter.occurred, since: formatDateTime(since) } };
  }

  #onMessage(message: Record<string, unknown> | null): void {
    if (this.#done || message === null) return;
    if (message.type === 'event' && isRecord(message.event) && typeof message.event.id === 'string') {
      this.#deliver(message.event as unknown as ReceivedEvent);
    } else if (message.type === 'dropped' && typeof message.count === 'number') {
      this.#dropped += message.count;
      if (this.#options.onDropped) this.#options.onDropped(message.count);
      else this.#context.report(new HeraldClientError('EVENTS_DROPPED', `The server dropped ${message.count} events for a slow subscriber`, { details: { dropped: message.count } }));
    }
  }

  #deliver(event: ReceivedEvent): void {
    if (this.#seen.has(event.id)) return;
    const occurred = parseDateTime(event.occurred) ?? 0;
    this.#seen.set(event.id, occurred);
    // A far-future `occurred` must not push the resume point past events still to come.
    const capped = Math.min(occurred, toMicros(this.#context.now()));
    if (this.#watermark === null || capped > this.#watermark) this.#watermark = capped;
    if (this.#seen.size >= this.#pruneAt) this.#pruneSeen();
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve({ value: event, done: false });
      return;
    }
    this.#buffer.push(event);
    if (this.#buffer.length >= this.#options.highWaterMark) this.#socket?.pause();
  }

  /** Only ids a resumed backfill could replay (occurred ≥ watermark − overlap) need remembering. */
  #pruneSeen(): void {
    const floor = (this.#watermark ?? 0) - this.#options.resumeOverlapMs * 1000;
    for (const [id, occurred] of this.#seen) if (occurred < floor) this.#seen.delete(id);
    this.#pruneAt = Math.max(10_000, this.#seen.size * 2);
  }

  #onFailure(error: unknown): void {
    if (this.#done) return;
    this.#failures++;
    const retryable = isRetryable(error);
    if (!retryable || this.#failures >= this.#context.maxConnectAttempts) {
      this.#error = error instanceof Error ? error : new HeraldClientError('CONNECTION_FAILED', String(error));
      this.#done = true;
      this.#ready.reject(error);
      this.#settleWaiters();
      return;
    }
    if (this.#failures === 1 && error instanceof HeraldClientError) this.#context.report(error);
    this.#retryTimer = setTimeout(() => this.#connect(), backoffDelay(this.#failures - 1, this.#context.backoff));
  }

  /** The subscription has ended: release every waiting `next()` and tell the client. */
  #settleWaiters(): void {
    for (const waiter of this.#waiters.splice(0)) {
      if (this.#error) waiter.reject(this.#error);
      else waiter.resolve({ value: undefined, done: true });
    }
    this.#context.onEnd?.();
  }
}
