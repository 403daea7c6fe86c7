import WebSocket from 'ws';

/** How a connection ended: the close code and reason the client received. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** A message from Herald's websocket routes (every field any message type may carry). */
export interface WsMessage {
  type: string;
  event?: { id: string; occurred: string; received: string; resource: Record<string, string>; [key: string]: unknown };
  id?: string;
  result?: string;
  code?: string;
  event_id?: string | null;
  issues?: { pointer: string; type: string; message: string }[];
  count?: number;
}

/** A real `ws` client that records every message from the moment it is created. */
export interface TestSocket {
  ws: WebSocket;
  /** Every message received so far, parsed as JSON. */
  messages: WsMessage[];
  /** The next message not yet returned by `next()`. */
  next(timeoutMs?: number): Promise<WsMessage>;
  /** Resolves once `predicate` holds for the messages received so far. */
  waitUntil(predicate: (messages: WsMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  send(message: unknown): void;
  /** Forgets the messages received so far. */
  clear(): void;
  closed: Promise<CloseInfo>;
}

export interface ConnectOptions {
  protocols?: string[];
  headers?: Record<string, string>;
}

/** The upgrade was answered with an HTTP status instead of 101. */
export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

/**
 * Opens a websocket. Rejects with {@link UpgradeRefused} when the server answers the upgrade with HTTP.
 *
 * @example
 * const socket = await connect(`${server.baseUrl}/api/events/in`, { protocols: ['prefect'] });
 */
export function connect(url: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
  const messages: WsMessage[] = [];
  let read = 0;
  const listeners = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    const text = (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
    messages.push(isBinary ? { type: 'binary' } : (JSON.parse(text) as WsMessage));
    for (const listener of listeners) listener();
  });
  const closed = new Promise<CloseInfo>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));

  function waitUntil(predicate: (messages: WsMessage[]) => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate(messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms with ${messages.length} messages; last: ${JSON.stringify(messages.at(-1))?.slice(0, 300)}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (!predicate(messages)) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
    });
  }

  const socket: TestSocket = {
    ws,
    messages,
    async next(timeoutMs) {
      await waitUntil((m) => m.length > read, timeoutMs);
      return messages[read++]!;
    },
    waitUntil,
    send: (message) => ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message)),
    clear() {
      messages.length = 0;
      read = 0;
    },
    closed,
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_request, response) => {
      reject(new UpgradeRefused(response.statusCode ?? 0));
      response.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/**
 * Connects with the `prefect` subprotocol and authenticates, as Prefect's Python client does. The
 * `auth_success` message is consumed: `messages` starts empty.
 *
 * @example
 * const socket = await connectPrefect(`${server.baseUrl}/api/events/out`, null);
 */
export async function connectPrefect(url: string, token: string | null): Promise<TestSocket> {
  const socket = await connect(url, { protocols: ['prefect'] });
  socket.send({ type: 'auth', token });
  const reply = await socket.next();
  if (reply?.type !== 'auth_success') throw new Error(`authentication failed: ${JSON.stringify(reply)}`);
  socket.clear();
  return socket;
}

/** Sends a ping and resolves with the milliseconds until the pong. */
export function pingPong(ws: WebSocket): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => {
    ws.once('pong', () => resolve(performance.now() - start));
    ws.ping();
  });
}
