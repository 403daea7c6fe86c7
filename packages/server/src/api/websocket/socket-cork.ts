import type { WebSocket } from 'ws';

interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Runs `write` with the connection's TCP stream corked, so that the messages it sends leave together in
 * one `writev` instead of one syscall each. `ws` keeps that stream in `_socket`, which its types omit;
 * without a corkable stream (`ws` changed, or the socket is gone) the messages are simply written one
 * by one. Returns what `write` returns.
 *
 * @example
 * corked(socket, () => {
 *   for (const ack of acks) socket.send(ack);
 * });
 */
export function corked<T>(socket: WebSocket, write: () => T): T {
  const stream = (socket as unknown as { _socket?: Partial<Corkable> | null })._socket;
  if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return write();
  stream.cork();
  try {
    return write();
  } finally {
    stream.uncork();
  }
}
