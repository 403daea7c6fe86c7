import { normalizeUuid } from '@herald/core';
import type WebSocket from 'ws';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { EventQueue } from './event-queue.js';
import { HeraldApiError, HeraldClientError, type ApiIssue } from './herald-api-error.js';
import { createDeferred, type Deferred, type ObservedPromise } from './observed-promise.js';
import { closeError, isRetryable, openPrefectSocket, parseMessage } from './prefect-socket.js';
import type { PreparedEvent } from './prepare-event.js';

/** What the server did with an acknowledged event. Every result means the event is durably stored. */
export type EmitResult = 'inserted' | 'duplicate' | 'conflict';

/**
 * The server's acknowledgement of one event, sent after its commit. `duplicate`: an identical event with
 * this id was already stored (for example by a send before a reconnect). `conflict`: a different event
 * with this id was stored first; the first write wins.
 */
export interface EmitReceipt {
  id: string;
  result: EmitResult;
}

export interface EventSenderOptions {
  /** `ws(s)://…/api/events/in?acks=true` */
  url: string;
  token: string | undefined;
  maxQueue: number;
  maxInFlight: number;
  backoff: BackoffOptions;
  /** Consecutive failed connection attempts after which every pending event is rejected. */
  maxConnectAttempts: number;
  heartbeatIntervalMs: number;
  /** Where failures go that no caller is listening for. */
  report: (error: HeraldClientError) => void;
  random?: () => number;
}

interface Pending {
  id: string;
  json: string;
  deferred: Deferred<EmitReceipt>;
}

/**
 * One websocket to `/api/events/in?acks=true` behind a bounded queue. Events are pipelined (up to
 * `maxInFlight` unacknowledged frames), matched to the server's acks by id, and re-sent in order after
 * a reconnect; the server's idempotency by id makes re-sends safe. A rejected event settles at once and
 * never holds up the ones behind it.
 */
export class EventSender {
  readonly #options: EventSenderOptions;
  readonly #queue: EventQueue<Pending>;
  #socket: WebSocket | null = null;
  #connecting = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #failures = 0;
  #closed = false;

  constructor(options: EventSenderOptions) {
    this.#options = options;
    this.#queue = new EventQueue(options.maxQueue);
  }

  /** Events queued and not yet acknowledged or rejected. */
  get pending(): number {
    return this.#queue.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues a prepared event. The promise resolves with the receipt once the server has committed it. */
  send(prepared: PreparedEvent): ObservedPromise<EmitReceipt> {
    const deferred = createDeferred<EmitReceipt>((error) => this.#options.report(asClientError(error)));
    if (this.#closed) {
      deferred.reject(new HeraldClientError('CLIENT_CLOSED', 'The Herald client is closed'));
      return deferred.promise;
    }
    const entry = this.#queue.add(prepared.key, { id: prepared.event.id, json: prepared.json, deferred });
    if (!entry) {
      deferred.reject(
        new HeraldClientError('QUEUE_FULL', `The queue already holds ${this.#queue.capacity} unacknowledged events (maxQueue); event ${prepared.event.id} was not queued`, {
          details: { eventId: prepared.event.id, maxQueue: this.#queue.capacity },
        }),
      );
      return deferred.promise;
    }
    this.#pump();
    this.#ensureConnection();
    return deferred.promise;
  }

  /**
   * Resolves when every event queued before the call is settled (acknowledged or rejected). With a
   * timeout it rejects with `TIMEOUT` instead; the events stay queued.
   */
  async flush(timeoutMs?: number): Promise<void> {
    const settled = this.#queue.whenSettled();
    if (this.#queue.size > 0) this.#ensureConnection();
    if (timeoutMs === undefined) return settled;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HeraldClientError('TIMEOUT', `${this.#queue.size} events still unacknowledged after ${timeoutMs} ms`, { details: { pending: this.#queue.size } })),
        timeoutMs,
      );
    });
    try {
      await Promise.race([settled, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Rejects every pending event with `error` (used on close and at process exit). Returns how many. */
  abandon(error: HeraldClientError): number {
    const entries = this.#queue.removeAll();
    for (const entry of entries) entry.value.deferred.reject(error);
    return entries.length;
  }

  /**
   * Flushes, then closes the socket. Events still unacknowledged when the timeout passes are rejected
   * with `CLIENT_CLOSED`, and `close` rejects with `TIMEOUT`.
   */
  async close(timeoutMs?: number): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush(timeoutMs);
    } finally {
      this.#closed = true;
      this.abandon(new HeraldClientError('CLIENT_CLOSED', 'The Herald client was closed before the event was acknowledged'));
      this.#stop();
    }
  }

  #ensureConnection(): void {
    if (this.#socket || this.#connecting || this.#retryTimer || this.#closed) return;
    this.#connecting = true;
    openPrefectSocket(this.#options.url, { token: this.#options.token, unref: true }).then(
      (ws) => {
        this.#connecting = false;
        if (this.#closed) {
          ws.close(1000);
          return;
        }
        this.#failures = 0;
        this.#attach(ws);
      },
      (error: unknown) => {
        this.#connecting = false;
        this.#onConnectFailure(asClientError(error));
      },
    );
  }

  #onConnectFailure(error: HeraldClientError): void {
    if (this.#closed) return;
    if (!isRetryable(error)) {
      this.#failures = 0;
      this.#options.report(error);
      this.abandon(error);
      return;
    }
    this.#failures++;
    if (this.#failures === 1) this.#options.report(error);
    if (this.#failures >= this.#options.maxConnectAttempts) {
      const attempts = this.#failures;
      this.#failures = 0;
      this.abandon(new HeraldClientError('CONNECTION_FAILED', `${error.message} (gave up after ${attempts} attempts)`, { cause: error, details: { attempts } }));
      return;
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#queue.size === 0 || this.#closed || this.#retryTimer) return;
    const delay = backoffDelay(this.#failures, this.#options.backoff, this.#options.random);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#ensureConnection();
    }, delay);
    // Retries never hold the process open; the beforeExit flush does that, with a deadline.
    this.#retryTimer.unref();
  }

  #attach(ws: WebSocket): void {
    this.#socket = ws;
    let awaitingPong = false;
    ws.on('pong', () => {
      awaitingPong = false;
    });
    ws.on('message', (data) => this.#onMessage(ws, parseMessage(data)));
    ws.on('error', () => undefined); // 'close' follows every error
    ws.on('close', (code, reason) => this.#onClose(ws, code, reason.toString()));
    this.#heartbeat = setInterval(() => {
      // No pong since the last ping: the connection is dead even if TCP has not noticed.
      if (awaitingPong) ws.terminate();
      else {
        awaitingPong = true;
        ws.ping();
      }
    }, this.#options.heartbeatIntervalMs);
    this.#heartbeat.unref();
    this.#queue.requeue();
    this.#pump();
  }

  #onMessage(ws: WebSocket, message: Record<string, unknown> | null): void {
    if (ws !== this.#socket || message === null) return;
    if (message.type === 'ack' && typeof message.id === 'string') {
      const entry = this.#queue.settle(normalizeUuid(message.id));
      const result = message.result === 'duplicate' || message.result === 'conflict' ? message.result : 'inserted';
      entry?.value.deferred.resolve({ id: entry.value.id, result });
    } else if (message.type === 'error') {
      const entry = typeof message.event_id === 'string' ? this.#queue.settle(normalizeUuid(message.event_id)) : undefined;
      if (!entry) {
        // The frame cannot be matched, so it would never settle: start over on a fresh connection.
        this.#options.report(new HeraldClientError('PROTOCOL_ERROR', 'The server rejected a frame without naming a pending event', { details: message }));
        ws.terminate();
        return;
      }
      entry.value.deferred.reject(rejection(entry.value.id, message));
    }
    this.#pump();
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.#socket) return;
    this.#detach();
    if (this.#closed) return;
    const error = closeError(this.#options.url, code, reason);
    if (!isRetryable(error)) {
      this.#options.report(error);
      this.abandon(error);
      return;
    }
    this.#scheduleReconnect();
  }

  #pump(): void {
    const ws = this.#socket;
    if (!ws || ws.readyState !== ws.OPEN) return;
    while (this.#queue.inFlight < this.#options.maxInFlight) {
      const entry = this.#queue.takeNext();
      if (!entry) return;
      ws.send(entry.value.json);
    }
  }

  #detach(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.#socket?.removeAllListeners('message');
    this.#socket = null;
  }

  #stop(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const ws = this.#socket;
    this.#detach();
    ws?.close(1000);
  }
}

function rejection(id: string, message: Record<string, unknown>): HeraldApiError {
  const issues: ApiIssue[] = Array.isArray(message.issues)
    ? message.issues.map((raw: Record<string, unknown>) => ({
        pointer: typeof raw.pointer === 'string' ? raw.pointer : '',
        type: typeof raw.type === 'string' ? raw.type : 'invalid',
        message: typeof raw.message === 'string' ? raw.message : 'Invalid value',
        eventId: id,
      }))
    : [];
  const first = issues[0];
  const code = typeof message.code === 'string' ? message.code : 'EVENT_VALIDATION_FAILED';
  const text = first ? `Event ${id} rejected${first.pointer ? ` at ${first.pointer}` : ''}: ${first.message}` : `Event ${id} rejected (${code})`;
  return new HeraldApiError(422, code, text, { details: { eventId: id, issues } });
}

function asClientError(error: unknown): HeraldClientError {
  if (error instanceof HeraldClientError) return error;
  return new HeraldClientError('CONNECTION_FAILED', error instanceof Error ? error.message : String(error), { cause: error });
}
