import { DEFAULT_EVENT_LIMITS, type EventLimits } from '@herald/core';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { createErrorReporter } from './error-reporter.js';
import type { HeraldClientError } from './herald-api-error.js';

/**
 * Options of {@link createHeraldClient}. Everything has a default; `url` and `apiKey` come from
 * `HERALD_URL` and `HERALD_API_KEY` when not given.
 */
export interface HeraldClientOptions {
  /** The server, e.g. `http://127.0.0.1:4200`. A trailing `/api` is accepted and ignored. Default `HERALD_URL` or `http://127.0.0.1:4200`. */
  url?: string;
  /** The API key (`hk_…`). Default `HERALD_API_KEY`; none when the server has no keys. */
  apiKey?: string;
  /** Most events held unacknowledged; `emitEvent` rejects with `QUEUE_FULL` beyond it. Default 10 000. */
  maxQueue?: number;
  /** Most events sent and not yet acknowledged on the socket. Default 1 000. */
  maxInFlight?: number;
  /** Reconnection delays (exponential with jitter). */
  backoff?: BackoffOptions;
  /** Consecutive failed connection attempts before pending events are rejected with `CONNECTION_FAILED`. Default Infinity (retry while the queue holds events). */
  maxConnectAttempts?: number;
  /** Ping interval of the ingest socket; a missed pong means a dead connection. Default 20 000 ms. */
  heartbeatIntervalMs?: number;
  /** Deadline of each HTTP request. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Flush pending events when the process is about to exit (`beforeExit`). Default true. */
  flushOnExit?: boolean;
  /** How long the exit flush may wait. Default 10 000 ms. */
  exitFlushTimeoutMs?: number;
  /** Local validation limits; match the server's if it was configured differently. */
  limits?: Partial<EventLimits>;
  /**
   * Receives failures no caller is listening for: rejected events whose promise nobody observed, and
   * connection trouble. Default: a rate-limited warning line on stderr. Pass `() => {}` to silence.
   */
  onError?: (error: HeraldClientError) => void;
  /** The clock in epoch ms (for `occurred` defaults). Default `Date.now`. */
  now?: () => number;
  /** Event id generator. Default UUIDv7. */
  newId?: () => string;
}

export type ResolvedClientOptions = Required<Omit<HeraldClientOptions, 'apiKey' | 'limits' | 'newId' | 'backoff'>> & {
  apiKey: string | undefined;
  limits: EventLimits;
  backoff: Required<BackoffOptions>;
  newId: (() => string) | undefined;
};

/**
 * Strips trailing slashes and a trailing `/api`, so both `http://h:4200` and Prefect-style
 * `http://h:4200/api` work.
 *
 * @example
 * normalizeBaseUrl('http://127.0.0.1:4200/api/') // 'http://127.0.0.1:4200'
 */
export function normalizeBaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`The Herald URL must be http(s)://, got ${url}`);
  return url.replace(/\/+$/, '').replace(/\/api$/, '');
}

/** The websocket URL of a route: `http://h/api/x` → `ws://h/api/x`. */
export function websocketUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/^http/, 'ws') + path;
}

export function resolveClientOptions(options: HeraldClientOptions, env: NodeJS.ProcessEnv = process.env): ResolvedClientOptions {
  return {
    url: normalizeBaseUrl(options.url ?? (env.HERALD_URL || 'http://127.0.0.1:4200')),
    apiKey: options.apiKey ?? (env.HERALD_API_KEY || undefined),
    maxQueue: options.maxQueue ?? 10_000,
    maxInFlight: options.maxInFlight ?? 1_000,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    maxConnectAttempts: options.maxConnectAttempts ?? Infinity,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 20_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    flushOnExit: options.flushOnExit ?? true,
    exitFlushTimeoutMs: options.exitFlushTimeoutMs ?? 10_000,
    limits: { ...DEFAULT_EVENT_LIMITS, ...options.limits },
    onError: options.onError ?? createErrorReporter(),
    now: options.now ?? Date.now,
    newId: options.newId,
  };
}
