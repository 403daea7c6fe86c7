import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a {@link TestReceiver} got. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real HTTP server on 127.0.0.1 for action tests: records requests, answers with `respond`. */
export interface TestReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Replaces how the next requests are answered. */
  respond: (handler: (request: ReceivedRequest, res: ServerResponse) => void) => void;
  close: () => Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1, port 0. By default it answers 200 `ok`.
 *
 * @example
 * const receiver = await startTestReceiver();
 * receiver.respond((_req, res) => res.writeHead(503).end());
 */
export async function startTestReceiver(): Promise<TestReceiver> {
  let handler: (request: ReceivedRequest, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };
  const requests: ReceivedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respond: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
