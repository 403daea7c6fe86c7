import { createServer, type Server } from 'node:http';

/** One request a {@link Receiver} got. */
export interface ReceivedHit {
  path: string;
  body: string;
  /** `Date.now()` when the request arrived. */
  at: number;
}

/** A real local HTTP receiver for `call-webhook` actions: records every request. */
export interface Receiver {
  url: string;
  hits: ReceivedHit[];
  /** Status to answer for the next requests (default 200). */
  respondWith(status: (hit: ReceivedHit) => number): void;
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 and a free port.
 *
 * @example
 * const receiver = await startReceiver();
 * // … call-webhook to `${receiver.url}/x` … receiver.hits.length
 */
export async function startReceiver(): Promise<Receiver> {
  const hits: ReceivedHit[] = [];
  let status: (hit: ReceivedHit) => number = () => 200;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const hit = { path: req.url ?? '', body, at: Date.now() };
      hits.push(hit);
      res.statusCode = status(hit);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    respondWith(next) {
      status = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A small HTTP client of one Herald server, for tests and benchmarks. */
export class HeraldClient {
  constructor(readonly url: string) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** Creates a webhook connection to `url` and returns its id. */
  async webhookConnection(url: string): Promise<string> {
    const res = await this.request<{ id: string }>('POST', '/api/connections', {
      name: `hook ${url}`,
      kind: 'webhook',
      settings: { method: 'POST' },
      secrets: { url },
    });
    if (res.status !== 201) throw new Error(`connection: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  /** Creates an automation and returns its id. */
  async automation(body: Record<string, unknown>): Promise<string> {
    const res = await this.request<{ id: string }>('POST', '/api/automations/', body);
    if (res.status !== 201) throw new Error(`automation: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  async postEvents(events: unknown[]): Promise<void> {
    const res = await this.request('POST', '/api/events', events);
    if (res.status !== 204) throw new Error(`events: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** Stored events whose name is one of `names` (newest first, at most 200). */
  async eventsNamed(
    ...names: string[]
  ): Promise<{ id: string; event: string; occurred: string; payload: Record<string, unknown>; related: Record<string, string>[] }[]> {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const res = await this.request<{ events: never[] }>('POST', '/api/events/filter', {
      filter: { event: { name: names }, occurred: { since, until } },
      limit: 200,
    });
    return res.body.events;
  }

  async trace(
    automationId: string,
  ): Promise<{
    status: number;
    body: { totals: Record<string, number>; entries: { at: string; kind: string; detail: Record<string, unknown> }[] };
  }> {
    return this.request('GET', `/api/automations/${automationId}/trace`);
  }
}

/** Waits until `check` returns true, polling; gives up (returning false) after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}
