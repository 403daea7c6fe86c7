import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { corked } from './socket-cork.js';

interface Pair {
  server: WebSocket;
  client: WebSocket;
  received: string[];
  close(): Promise<void>;
}

let pair: Pair | undefined;

afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

/** A real `ws` server and client over 127.0.0.1; `received` collects the client's messages. */
async function connectPair(): Promise<Pair> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const serverSide = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data) => received.push((data as Buffer).toString('utf8')));
  await new Promise((resolve) => client.once('open', resolve));
  const server = await serverSide;
  return {
    server,
    client,
    received,
    close: async () => {
      client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

const streamOf = (socket: WebSocket) => (socket as unknown as { _socket: Duplex })._socket;

describe('corked', () => {
  it('holds the messages sent inside it and writes them together when it returns', async () => {
    pair = await connectPair();
    const stream = streamOf(pair.server);
    const held = corked(pair.server, () => {
      for (const n of [1, 2, 3]) pair!.server.send(`message ${n}`);
      return stream.writableLength;
    });
    // Three unmasked frames of 2 + 9 bytes each were buffered, not written one by one.
    expect(held).toBe(3 * 11);
    expect(stream.writableCorked).toBe(0);
    await expect.poll(() => pair!.received).toEqual(['message 1', 'message 2', 'message 3']);
  });

  it('uncorks the socket when the callback throws', async () => {
    pair = await connectPair();
    const failure = new Error('boom');
    expect(() =>
      corked(pair!.server, () => {
        pair!.server.send('before the failure');
        throw failure;
      }),
    ).toThrow(failure);
    expect(streamOf(pair.server).writableCorked).toBe(0);
    await expect.poll(() => pair!.received).toEqual(['before the failure']);
  });

  it('still runs the callback once the socket has no stream left', async () => {
    pair = await connectPair();
    pair.server.terminate();
    await new Promise((resolve) => pair!.server.once('close', resolve));
    expect(corked(pair.server, () => 'ran')).toBe('ran');
  });
});
