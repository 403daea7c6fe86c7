import { formatDateTime, newEventId, parseDateTime } from '@herald/core';
import type { Logger } from 'pino';
import type { CapturedRequestRow, WebhookStore } from '../storage/ports.js';
import { CREDENTIAL_HEADERS, type InboundRequest } from './inbound-request.js';

/** What became of a captured request. */
export type CaptureOutcome = 'accepted' | 'failed' | 'unauthorized' | 'handshake';

/** One captured request, as `GET /api/webhooks/{id}/requests` shows it. Credentials are redacted. */
export interface CapturedRequest {
  id: string;
  webhook_id: string;
  received: string;
  method: string;
  headers: Record<string, string>;
  query: string;
  /** The body as text (`utf8`) or, when it is not UTF-8, as base64. */
  body: string;
  body_encoding: 'utf8' | 'base64';
  /** The size of the whole body, in bytes. */
  body_bytes: number;
  /** True when only the first bytes were kept; such a request cannot be replayed. */
  body_truncated: boolean;
  outcome: CaptureOutcome;
  status: number;
  event_ids: string[];
  reason: string | null;
  error: string | null;
}

export interface CaptureResult {
  outcome: CaptureOutcome;
  status: number;
  eventIds: readonly string[];
  reason: string | null;
  error: string | null;
}

export interface CaptureRingOptions {
  store: WebhookStore;
  /** Requests kept per webhook (the last N); 0 turns capture off. */
  size: number;
  /** Bytes of each body kept. */
  maxBodyBytes: number;
  /** How long captures wait to be written together. */
  flushDelayMs?: number;
  logger: Logger;
}

const REDACTED = '[redacted]';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Keeps the last N requests of each webhook. Captures are written behind, in batches: at most N per
 * webhook wait in memory (older ones are dropped before they cost a write), and a flush writes them in
 * one statement and trims the table. Capture is a debugging aid, so it never holds up a request;
 * reads flush first, so they see every capture made before them.
 *
 * @example
 * const ring = new CaptureRing({ store: storage.webhooks, size: 50, maxBodyBytes: 65536, logger });
 * const id = ring.record(webhook.id, request, { outcome: 'accepted', status: 204, eventIds: [eventId], reason: null, error: null });
 * await ring.list(webhook.id, 50);
 */
export class CaptureRing {
  /** Captures waiting to be written; they become rows (JSON) only if they are among the last N at flush time. */
  private readonly pending = new Map<string, { id: string; request: InboundRequest; result: CaptureResult }[]>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: CaptureRingOptions) {}

  /** A fresh capture id, so that a failed event can name the capture before it is recorded. */
  newId(): string {
    return newEventId();
  }

  /** Captures a request under `id`; returns the id, or null when capture is off. */
  record(webhookId: string, request: InboundRequest, result: CaptureResult, id: string = this.newId()): string | null {
    const { size } = this.options;
    if (size <= 0) return null;
    let queue = this.pending.get(webhookId);
    if (queue === undefined) this.pending.set(webhookId, (queue = []));
    queue.push({ id, request, result });
    if (queue.length > size) queue.splice(0, queue.length - size);
    this.timer ??= setTimeout(() => void this.flush(), this.options.flushDelayMs ?? 200).unref();
    return id;
  }

  /** A webhook's captured requests, newest first. */
  async list(webhookId: string, limit: number): Promise<CapturedRequest[]> {
    await this.flush();
    const rows = await this.options.store.listCapturedRequests(webhookId, Math.min(limit, Math.max(this.options.size, 1)));
    return rows.map((row) => JSON.parse(row.record) as CapturedRequest);
  }

  async get(webhookId: string, id: string): Promise<CapturedRequest | null> {
    await this.flush();
    const row = await this.options.store.getCapturedRequest(webhookId, id);
    return row === null ? null : (JSON.parse(row.record) as CapturedRequest);
  }

  /** Drops what waits for a webhook that is being deleted. */
  forget(webhookId: string): void {
    this.pending.delete(webhookId);
  }

  /** Writes every waiting capture. Failures are logged: captures are not worth failing a request for. */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const rows: CapturedRequestRow[] = [];
    for (const [webhookId, queue] of this.pending) {
      for (const { id, request, result } of queue) {
        rows.push({ id, webhookId, received: request.received, record: JSON.stringify(this.capture(id, webhookId, request, result)) });
      }
    }
    this.pending.clear();
    this.flushing = this.flushing.then(async () => {
      if (rows.length === 0) return;
      try {
        await this.options.store.appendCapturedRequests(rows, this.options.size);
      } catch (error) {
        this.options.logger.warn({ err: error, captures: rows.length }, 'could not store captured webhook requests');
      }
    });
    return this.flushing;
  }

  private capture(id: string, webhookId: string, request: InboundRequest, result: CaptureResult): CapturedRequest {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = CREDENTIAL_HEADERS.has(name) ? REDACTED : value;
    const truncated = request.body.length > this.options.maxBodyBytes;
    const kept = truncated ? request.body.subarray(0, this.options.maxBodyBytes) : request.body;
    let body: string;
    let encoding: 'utf8' | 'base64' = 'utf8';
    try {
      body = utf8.decode(kept);
    } catch {
      body = kept.toString('base64');
      encoding = 'base64';
    }
    return {
      id,
      webhook_id: webhookId,
      received: formatDateTime(request.received),
      method: request.method,
      headers,
      query: request.query,
      body,
      body_encoding: encoding,
      body_bytes: request.body.length,
      body_truncated: truncated,
      outcome: result.outcome,
      status: result.status,
      event_ids: [...result.eventIds],
      reason: result.reason,
      error: result.error,
    };
  }
}

/**
 * The request a capture describes, for replay and preview. Redacted headers stay redacted.
 *
 * @example
 * const request = capturedToInbound(await ring.get(id, rid), now());
 */
export function capturedToInbound(captured: CapturedRequest, received: number = parseDateTime(captured.received) ?? 0): InboundRequest {
  return {
    method: captured.method,
    headers: { ...captured.headers },
    query: captured.query,
    body: Buffer.from(captured.body, captured.body_encoding === 'base64' ? 'base64' : 'utf8'),
    received,
  };
}
