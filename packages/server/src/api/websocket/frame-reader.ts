import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';

/** One client message: its bytes, whether it came as a binary frame, and when it arrived (`performance.now()` ms). */
export interface Frame {
  data: Buffer;
  isBinary: boolean;
  receivedAt: number;
}

/** Frames buffered while nobody consumes them (during the async auth check) before the socket is paused. */
const BUFFER_PAUSE_AT = 64;

/**
 * Reads a socket's messages in order from the moment it opens, so that nothing is lost while the
 * handshake awaits the authenticator: the handshake pulls frames one at a time with `next()`, then the
 * route takes over every later frame with `pipe()`.
 *
 * @example
 * const reader = new FrameReader(socket);
 * const first = await reader.next(); // null once the socket has closed
 * reader.pipe((frame) => handle(frame));
 */
export class FrameReader {
  private readonly buffered: Frame[] = [];
  private waiter: ((frame: Frame | null) => void) | null = null;
  private handler: ((frame: Frame) => void) | null = null;
  private closed = false;

  constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => this.push({ data: toBuffer(data), isBinary, receivedAt: performance.now() }));
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.(null);
      this.waiter = null;
    });
  }

  /** The next frame, or null when the socket closed first. Only one `next()` may wait at a time. */
  next(): Promise<Frame | null> {
    const frame = this.buffered.shift();
    if (frame) {
      if (this.socket.isPaused && this.buffered.length < BUFFER_PAUSE_AT) this.socket.resume();
      return Promise.resolve(frame);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Hands every buffered and future frame to `handler`, in arrival order. */
  pipe(handler: (frame: Frame) => void): void {
    this.handler = handler;
    for (const frame of this.buffered.splice(0)) handler(frame);
    if (this.socket.isPaused) this.socket.resume();
  }

  private push(frame: Frame): void {
    if (this.handler) return this.handler(frame);
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = null;
      return resolve(frame);
    }
    this.buffered.push(frame);
    // A client flooding before it is authenticated is held back by TCP instead of by our memory.
    if (this.buffered.length >= BUFFER_PAUSE_AT) this.socket.pause();
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
