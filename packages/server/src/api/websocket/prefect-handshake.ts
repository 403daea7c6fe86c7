import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Authenticator } from '../../auth/authenticator.js';
import type { FrameReader } from './frame-reader.js';
import { CLOSE_CODES, closeSocket } from './socket-close.js';

/** The subprotocol of Prefect's current websocket protocol: auth message first. */
const PREFECT_SUBPROTOCOL = 'prefect';

/** The close reasons of a failed handshake, exactly as Prefect's server words them. */
export const HANDSHAKE_CLOSE_REASONS = {
  expectedAuth: "Expected 'auth' message",
  noToken: 'Auth required but no token provided',
  invalidToken: 'Invalid token',
} as const;

/**
 * Whether the client offered the `prefect` subprotocol. Every `Sec-WebSocket-Protocol` header is split on
 * commas and trimmed, as Prefect's server does.
 */
export function offersPrefectSubprotocol(request: IncomingMessage): boolean {
  const headers = request.headersDistinct['sec-websocket-protocol'] ?? [];
  return headers.some((header) => header.split(',').some((p) => p.trim() === PREFECT_SUBPROTOCOL));
}

/** The `handleProtocols` of the websocket server: select `prefect` when offered, otherwise no subprotocol. */
export function selectPrefectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(PREFECT_SUBPROTOCOL) ? PREFECT_SUBPROTOCOL : false;
}

export interface HandshakeOptions {
  auth: Authenticator;
  /** True when the client offered the `prefect` subprotocol (the auth message is then required). */
  subprotocol: boolean;
  logger: Logger;
}

/**
 * Runs the common handshake of Prefect's websocket routes (spec §4.1). With the `prefect` subprotocol
 * the first frame must be `{"type":"auth","token":…}`; success answers `{"type":"auth_success"}`.
 * Without it (legacy mode) nothing is exchanged: the upgrade was refused before this point if a key is
 * required. Resolves false when the socket was closed instead; the caller then does nothing more.
 *
 * @example
 * if (!(await acceptPrefectSocket(socket, reader, { auth, subprotocol: true, logger }))) return;
 */
export async function acceptPrefectSocket(socket: WebSocket, reader: FrameReader, options: HandshakeOptions): Promise<boolean> {
  if (!options.subprotocol) return true;
  const frame = await reader.next();
  if (!frame) return false;
  const message = frame.isBinary ? undefined : parseObject(frame.data.toString('utf8'));
  if (message?.type !== 'auth') {
    closeSocket(socket, CLOSE_CODES.policyViolation, HANDSHAKE_CLOSE_REASONS.expectedAuth);
    return false;
  }
  const token = typeof message.token === 'string' ? message.token : null;
  let result;
  try {
    result = await options.auth.checkToken(token);
  } catch (error) {
    options.logger.error({ err: error }, 'websocket authentication failed');
    closeSocket(socket, CLOSE_CODES.internalError, 'Authentication is unavailable');
    return false;
  }
  if (!result.ok) {
    closeSocket(
      socket,
      CLOSE_CODES.policyViolation,
      result.code === 'AUTH_REQUIRED' ? HANDSHAKE_CLOSE_REASONS.noToken : HANDSHAKE_CLOSE_REASONS.invalidToken,
    );
    return false;
  }
  if (socket.readyState !== socket.OPEN) return false;
  socket.send('{"type":"auth_success"}');
  return true;
}

/** Parses a JSON object; anything else (bad JSON, arrays, scalars) is undefined. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
