import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import WebSocket, { type ClientOptions, type RawData } from 'ws';
import { HeraldApiError, HeraldClientError, isRecord } from './herald-api-error.js';
import { SDK_USER_AGENT } from './user-agent.js';

export interface PrefectSocketOptions {
  /** The API key sent in the auth message (and as a Bearer header, for proxies). */
  token: string | undefined;
  /** Unreferenced sockets do not keep the process alive (the emitter flushes on `beforeExit` instead). */
  unref?: boolean;
  /** Deadline for the upgrade and for the `auth_success` answer, in ms. */
  handshakeTimeoutMs?: number;
}

export { SDK_USER_AGENT } from './user-agent.js';

/**
 * Opens a websocket with the `prefect` subprotocol and completes the auth handshake: the first message
 * is `{"type":"auth","token":…}` and the server must answer `{"type":"auth_success"}`.
 *
 * Rejects with a {@link HeraldApiError} when the server refuses (HTTP status on the upgrade, close
 * 1008, `auth_failure`), or `HeraldClientError('CONNECTION_FAILED' | 'TIMEOUT')` when it cannot be
 * reached; {@link isRetryable} tells which is worth retrying.
 *
 * @example
 * const ws = await openPrefectSocket('ws://127.0.0.1:4200/api/events/out', { token: undefined });
 */
export function openPrefectSocket(url: string, options: PrefectSocketOptions): Promise<WebSocket> {
  const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const clientOptions: ClientOptions = {
    handshakeTimeout: timeoutMs,
    headers: { 'User-Agent': SDK_USER_AGENT, ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) },
    ...(options.unref ? { createConnection: unrefConnection(url.startsWith('wss:')) } : {}),
  };
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['prefect'], clientOptions);
    let settled = false;
    const timer = setTimeout(() => fail(new HeraldClientError('TIMEOUT', `No auth answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
    if (options.unref) timer.unref();

    const fail = (error: HeraldClientError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      reject(error);
    };
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      fail(
        status === 401 || status === 403
          ? new HeraldApiError(status, 'AUTH_INVALID', `The server refused the websocket at ${url} (HTTP ${status}): check the API key`)
          : new HeraldApiError(status, status >= 500 ? 'UNAVAILABLE' : `HTTP_${status}`, `The server refused the websocket at ${url} (HTTP ${status})`),
      );
    });
    ws.on('error', (error: NodeJS.ErrnoException) => {
      fail(new HeraldClientError('CONNECTION_FAILED', `Cannot reach Herald at ${url}: ${error.code ?? error.message}`, { cause: error }));
    });
    ws.on('close', (code, reason) => fail(closeError(url, code, reason.toString())));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: options.token ?? null })));
    ws.once('message', (data: RawData) => {
      const message = parseMessage(data);
      if (message?.type !== 'auth_success') {
        const reason = typeof message?.reason === 'string' ? message.reason : 'unexpected answer to the auth message';
        fail(new HeraldApiError(401, 'AUTH_INVALID', `Authentication failed at ${url}: ${reason}`));
        return;
      }
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      resolve(ws);
    });
  });
}

/** The error for a websocket the server closed. Policy and protocol closes are refusals, not outages. */
export function closeError(url: string, code: number, reason: string): HeraldClientError {
  const why = reason === '' ? `code ${code}` : `code ${code}: ${reason}`;
  // The reasons are the spec's fixed wording: "Auth required but no token provided" or "Invalid token".
  if (code === 1008) return new HeraldApiError(401, reason.startsWith('Auth required') ? 'AUTH_REQUIRED' : 'AUTH_INVALID', `Authentication failed at ${url} (${why})`);
  // "Invalid filter: …" is the reason the spec fixes for a refused subscription filter.
  if (code === 1002 && reason.startsWith('Invalid filter')) return new HeraldApiError(422, 'FILTER_INVALID', `The server refused the filter (${reason})`);
  if (code === 1002 || code === 1003 || code === 1007) return new HeraldApiError(422, 'PROTOCOL_ERROR', `The server refused the request at ${url} (${why})`);
  if (code === 1009) return new HeraldApiError(413, 'REQUEST_TOO_LARGE', `A message was too large for ${url} (${why})`);
  return new HeraldClientError('CONNECTION_FAILED', `The connection to ${url} closed (${why})`, { details: { closeCode: code } });
}

/** True for failures a reconnect may cure: outages, timeouts, 5xx, 408 and 429. Refusals are final. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof HeraldApiError) return error.status >= 500 || error.status === 408 || error.status === 429;
  return error instanceof HeraldClientError && (error.code === 'CONNECTION_FAILED' || error.code === 'TIMEOUT');
}

/** Parses a text frame as a JSON object; anything else is `null`. */
export function parseMessage(data: RawData): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(rawText(data));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** The same connection `ws` makes by default, unreferenced so that it never holds the process open. */
function unrefConnection(secure: boolean): NonNullable<ClientOptions['createConnection']> {
  // ws types this option as net.createConnection; at run time it receives the request options.
  return ((options: ConnectionOptions & { host?: string; path?: string | null; socketPath?: string }): Socket => {
    if (secure) {
      options.path = undefined;
      if (!options.servername && options.servername !== '') options.servername = isIP(options.host ?? '') ? '' : options.host;
      return tlsConnect(options).unref();
    }
    options.path = options.socketPath;
    return netConnect(options as Parameters<typeof netConnect>[0]).unref();
  }) as NonNullable<ClientOptions['createConnection']>;
}
