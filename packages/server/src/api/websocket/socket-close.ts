import type { WebSocket } from 'ws';

/** The close codes Herald's websocket routes use (RFC 6455 §7.4.1, plus the IANA-registered 1012/1013). */
export const CLOSE_CODES = {
  /** `/out`: the message after the handshake is not a valid filter message. */
  protocolError: 1002,
  /** The handshake failed: no auth message, no token, or a wrong token. */
  policyViolation: 1008,
  /** Storage failed while ingesting; the client should reconnect and resend what it has not seen acknowledged. */
  internalError: 1011,
  /** The server is shutting down; reconnect (to another replica) later. */
  serviceRestart: 1012,
  /** `/out`: a subscriber without drop notices fell behind; reconnect to backfill what was missed. */
  tryAgainLater: 1013,
} as const;

/** RFC 6455 allows 125 bytes of close payload, two of which are the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Cuts a close reason to at most `maxBytes` of UTF-8 without splitting a character.
 *
 * @example
 * truncateCloseReason('Invalid filter: ' + longText) // ≤ 123 bytes, still valid UTF-8
 */
export function truncateCloseReason(reason: string, maxBytes = MAX_CLOSE_REASON_BYTES): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= maxBytes) return reason;
  let end = maxBytes;
  // bytes[end] is the first byte left out; while it continues a character (10xxxxxx), that character is cut.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** Closes the socket with a code and a reason cut to the protocol's limit; a no-op once it is closing. */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === socket.CLOSING || socket.readyState === socket.CLOSED) return;
  socket.close(code, truncateCloseReason(reason));
}
