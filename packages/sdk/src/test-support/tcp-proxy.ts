import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** The proxy's URL, to give to a client instead of the server's. */
  url: string;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** Destroys every open connection at once, as a failing network or load balancer would. */
  cutAll(): void;
  /** Stops forwarding on every open connection without closing it: a half-open, silent connection. */
  freezeAll(): void;
  close(): Promise<void>;
}

/**
 * A real TCP proxy in front of a server, so that tests can cut live connections mid-stream without
 * touching the client or the server.
 */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const cutAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  const freezeAll = () => {
    for (const [client, upstream] of pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get open() {
      return pairs.size;
    },
    cutAll,
    freezeAll,
    close() {
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
