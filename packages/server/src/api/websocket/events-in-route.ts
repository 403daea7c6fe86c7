import { performance } from 'node:perf_hooks';
import { HeraldError } from '@herald/core';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { IngestOneResult, IngestService } from '../../ingestion/ingest-service.js';
import type { HeraldMetrics } from '../../observability/metrics.js';
import type { AppendResult } from '../../storage/ports.js';
import type { Frame, FrameReader } from './frame-reader.js';
import { ingestFrameBatch } from './ingest-frame-batch.js';
import { CLOSE_CODES, closeSocket } from './socket-close.js';
import { corked } from './socket-cork.js';

/**
 * Error messages sent to a client that did not opt in with `?acks=true`. Prefect's Python client never
 * reads `/events/in`, and its `websockets` library stops reading the socket — pongs included — once 16
 * unread messages pile up, which would stall its ping checkpoints. Staying well below that keeps it
 * working while other clients still learn about their first bad frames.
 */
export const UNSOLICITED_ERROR_LIMIT = 8;

/** Bytes of frames being ingested at once before the socket stops reading; it resumes below half. */
const IN_FLIGHT_PAUSE_BYTES = 64 * 1024 * 1024;

/** Acks are built by concatenation: the id is a canonical UUID and the result a fixed word, so nothing needs escaping. */
const ACK_PREFIX = '{"type":"ack","id":"';
const ACK_SUFFIX: Record<AppendResult, string> = {
  inserted: '","result":"inserted"}',
  duplicate: '","result":"duplicate"}',
  conflict: '","result":"conflict"}',
};

export interface EventsInOptions {
  ingest: IngestService;
  metrics: HeraldMetrics;
  logger: Logger;
  /** The client opted in with `?acks=true`: one ack per stored event, and every error. */
  acks: boolean;
}

/** Consecutive frames ingested together; settled once their commit has finished or failed. */
interface FrameBatch {
  /** Each frame's arrival (`performance.now()` ms), for the latency metric; the frames themselves are not kept. */
  receivedAt: number[];
  bytes: number;
  results: IngestOneResult[] | null;
  failure: { error: unknown } | null;
}

/**
 * Serves `/api/events/in` after the handshake: one event per text frame. The frames that arrive before
 * the event loop comes round again (one `setImmediate`) are ingested as one batch, one group-commit
 * submission; batches start as soon as they are gathered, so they share commits too. Replies go out in
 * frame order, the replies of a batch in one socket write. A bad frame gets an error message and is
 * skipped; the connection stays open. A storage failure closes the socket (1011, or 1012 on shutdown)
 * so that the client reconnects and resends.
 *
 * @example
 * handleEventsIn(socket, reader, { ingest, metrics, logger, acks: true });
 */
export function handleEventsIn(socket: WebSocket, reader: FrameReader, options: EventsInOptions): void {
  const { metrics, logger, acks } = options;
  const latency = metrics.ingestLatency.labels({ route: 'websocket' });
  let errorsLeft = acks ? Infinity : UNSOLICITED_ERROR_LIMIT;
  let gathering: Frame[] = [];
  let gatheringBytes = 0;
  let inFlightBytes = 0;
  /** Batches not yet answered, in frame order. */
  const pending: FrameBatch[] = [];
  let failed = false;

  const reportInvalid = (result: Extract<IngestOneResult, { ok: false }>): void => {
    const { eventId, issues } = result;
    if (errorsLeft <= 0) {
      logger.info({ eventId, issues }, 'invalid event frame skipped (error messages exhausted on this connection)');
      return;
    }
    errorsLeft--;
    logger.debug({ eventId, issues }, 'invalid event frame skipped');
    const message = {
      type: 'error',
      code: 'EVENT_VALIDATION_FAILED',
      event_id: eventId,
      issues: issues.map(({ pointer, type, message }) => ({ pointer, type, message })),
    };
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };

  const answer = (batch: FrameBatch, results: IngestOneResult[], now: number): void => {
    const open = socket.readyState === socket.OPEN;
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      if (!result.ok) {
        reportInvalid(result);
        continue;
      }
      latency.observe((now - batch.receivedAt[i]!) / 1000);
      if (acks && open) socket.send(ACK_PREFIX + result.id + ACK_SUFFIX[result.result]);
    }
  };

  const fail = (error: unknown): void => {
    failed = true;
    const shuttingDown = error instanceof HeraldError && error.code === 'SHUTTING_DOWN';
    logger.error({ err: error }, 'websocket ingest failed; closing the connection');
    closeSocket(
      socket,
      shuttingDown ? CLOSE_CODES.serviceRestart : CLOSE_CODES.internalError,
      shuttingDown ? 'Server shutting down' : 'Storage unavailable',
    );
  };

  /** Answers the settled batches at the head of the queue; returns the first failure met, if any. */
  const answerSettled = (now: number): FrameBatch['failure'] => {
    while (pending.length > 0) {
      const head = pending[0]!;
      if (head.failure) return head.failure;
      if (!head.results) return null;
      pending.shift();
      answer(head, head.results, now);
    }
    return null;
  };

  const settle = (batch: FrameBatch): void => {
    inFlightBytes -= batch.bytes;
    if (socket.isPaused && inFlightBytes <= IN_FLIGHT_PAUSE_BYTES / 2) socket.resume();
    if (failed) return;
    // A batch still committing holds back the replies of later ones; all that is due leaves in one write.
    const failure = corked(socket, () => answerSettled(performance.now()));
    if (failure) fail(failure.error);
  };

  const startBatch = (): void => {
    const frames = gathering;
    const batch: FrameBatch = { receivedAt: frames.map((f) => f.receivedAt), bytes: gatheringBytes, results: null, failure: null };
    gathering = [];
    gatheringBytes = 0;
    if (failed) return;
    pending.push(batch);
    ingestFrameBatch(frames, options)
      .then(
        (results) => {
          batch.results = results;
          settle(batch);
        },
        (error: unknown) => {
          batch.failure = { error };
          settle(batch);
        },
      )
      .catch((error: unknown) => logger.error({ err: error }, 'websocket reply failed'));
  };

  reader.pipe((frame) => {
    if (failed) return;
    const size = frame.data.length;
    if (gathering.length === 0) setImmediate(startBatch);
    gathering.push(frame);
    gatheringBytes += size;
    inFlightBytes += size;
    // Backpressure only under overload: pongs wait while the socket is paused.
    if (inFlightBytes > IN_FLIGHT_PAUSE_BYTES && !socket.isPaused) socket.pause();
  });
}
