import type { WebSocket } from 'ws';
import { CLOSE_CODES, closeSocket } from './socket-close.js';

/** One live event waiting for the socket: its log position and the whole message to send. */
export interface QueuedMessage {
  seq: number;
  message: string;
}

export interface SubscriberQueueOptions {
  /** Live events that may wait for a slow socket before newer ones are dropped. */
  capacity: number;
  /**
   * What a drop does. `notify`: send `{"type":"dropped","count":N}` once the queue has drained (Herald
   * clients opt in). `close`: close with 1013 at the first drop, because Prefect's subscriber fails on any
   * message without an `event`, but reconnects after a close and backfills what it missed.
   */
  overflow: 'notify' | 'close';
  /** Called with the number of events dropped (the metric). */
  onDrop: (count: number) => void;
}

/** Bytes the socket may buffer (beyond the kernel's own buffers) before the queue stops writing to it. */
const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * A subscriber's bounded outbox (DECISIONS 5). Messages are written to the socket while it buffers less
 * than 1 MiB; beyond that they wait here, up to `capacity`, and further events are dropped
 * and counted. The queue starts held, so that live events wait behind the backfill.
 *
 * @example
 * const queue = new SubscriberQueue(socket, { capacity: 256, overflow: 'notify', onDrop: (n) => drops.inc(n) });
 * await queue.sendNow(backfillMessage);
 * queue.release();
 * queue.push({ seq, message });
 */
export class SubscriberQueue {
  private items: QueuedMessage[] = [];
  private held = true;
  private dropped = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly socket: WebSocket,
    private readonly options: SubscriberQueueOptions,
  ) {
    socket.on('close', () => {
      this.items = [];
      this.wakeDrainWaiters();
    });
  }

  /** Queues a live event, or drops it when the queue is full. */
  push(item: QueuedMessage): void {
    if (!this.isOpen()) return;
    if (this.items.length >= this.options.capacity) return this.drop();
    this.items.push(item);
    this.pump();
  }

  /** Starts sending live events, leaving out those for which `skip` is true (already sent by the backfill). */
  release(skip: (seq: number) => boolean = () => false): void {
    this.items = this.items.filter((item) => !skip(item.seq));
    this.held = false;
    this.pump();
  }

  /** Writes a message now, ahead of the held queue (the backfill). Resolves when the socket has room again. */
  sendNow(message: string): Promise<void> {
    if (!this.isOpen()) return Promise.resolve();
    this.socket.send(message, this.onWritten);
    return this.socket.bufferedAmount < HIGH_WATER_BYTES ? Promise.resolve() : this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private readonly onWritten = (): void => {
    if (this.socket.bufferedAmount < HIGH_WATER_BYTES || !this.isOpen()) this.wakeDrainWaiters();
    this.pump();
  };

  private wakeDrainWaiters(): void {
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  private pump(): void {
    if (this.held || !this.isOpen()) return;
    while (this.items.length > 0 && this.socket.bufferedAmount < HIGH_WATER_BYTES) {
      this.socket.send(this.items.shift()!.message, this.onWritten);
    }
    if (this.items.length === 0 && this.dropped > 0 && this.socket.bufferedAmount < HIGH_WATER_BYTES) {
      this.socket.send(`{"type":"dropped","count":${this.dropped}}`, this.onWritten);
      this.dropped = 0;
    }
  }

  private drop(): void {
    if (this.options.overflow === 'close') {
      // What is still queued is lost with the connection too; the client's backfill brings it back.
      this.options.onDrop(1 + this.items.length);
      this.items = [];
      closeSocket(this.socket, CLOSE_CODES.tryAgainLater, 'Subscriber fell behind and events were dropped; reconnect to backfill them');
      return;
    }
    this.options.onDrop(1);
    this.dropped++;
  }

  private isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }
}
