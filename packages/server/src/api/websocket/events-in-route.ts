import { performance } from 'node:perf_hooks';
import { HeraldError, normalizeUuid, type ValidationIssue } from '@herald/core';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { IngestService } from '../../ingestion/ingest-service.js';
import type { HeraldMetrics } from '../../observability/metrics.js';
import type { AppendResult } from '../../storage/ports.js';
import type { Frame, FrameReader } from './frame-reader.js';
import { CLOSE_CODES, closeSocket } from './socket-close.js';

/**
 * Error messages sent to a client that did not opt in with `?acks=true`. Prefect's Python client never
 * reads `/events/in`, and its `websockets` library stops reading the socket — pongs included — once 16
 * unread messages pile up, which would stall its ping checkpoints. Staying well below that keeps it
 * working while other clients still learn about their first bad frames.
 */
export const UNSOLICITED_ERROR_LIMIT = 8;

/** Bytes of frames being ingested at once before the socket stops reading; it resumes below half. */
const IN_FLIGHT_PAUSE_BYTES = 64 * 1024 * 1024;

export interface EventsInOptions {
  ingest: IngestService;
  metrics: HeraldMetrics;
  logger: Logger;
  /** The client opted in with `?acks=true`: one ack per stored event, and every error. */
  acks: boolean;
}

type FrameOutcome =
  | { kind: 'stored'; id: string; result: AppendResult }
  | { kind: 'invalid'; eventId: string | null; issues: ValidationIssue[] }
  | { kind: 'failed'; error: unknown };

/**
 * Serves `/api/events/in` after the handshake: one event per text frame. Each frame starts ingesting as
 * soon as it arrives, so that concurrent frames share a group commit, while replies go out in frame
 * order. A bad frame gets an error message and is skipped; the connection stays open. A storage failure
 * closes the socket (1011, or 1012 on shutdown) so that the client reconnects and resends.
 *
 * @example
 * handleEventsIn(socket, reader, { ingest, metrics, logger, acks: true });
 */
export function handleEventsIn(socket: WebSocket, reader: FrameReader, options: EventsInOptions): void {
  const { metrics, logger } = options;
  let errorsLeft = options.acks ? Infinity : UNSOLICITED_ERROR_LIMIT;
  let inFlightBytes = 0;
  let replies = Promise.resolve();
  let failed = false;

  const reply = (frame: Frame, outcome: FrameOutcome): void => {
    if (failed) return;
    switch (outcome.kind) {
      case 'stored':
        metrics.ingestLatency.observe({ route: 'websocket' }, (performance.now() - frame.receivedAt) / 1000);
        if (options.acks) send(socket, { type: 'ack', id: outcome.id, result: outcome.result });
        return;
      case 'invalid': {
        const { eventId, issues } = outcome;
        if (errorsLeft > 0) {
          errorsLeft--;
          logger.debug({ eventId, issues }, 'invalid event frame skipped');
          send(socket, {
            type: 'error',
            code: 'EVENT_VALIDATION_FAILED',
            event_id: eventId,
            issues: issues.map(({ pointer, type, message }) => ({ pointer, type, message })),
          });
        } else {
          logger.info({ eventId, issues }, 'invalid event frame skipped (error messages exhausted on this connection)');
        }
        return;
      }
      case 'failed': {
        failed = true;
        const shuttingDown = outcome.error instanceof HeraldError && outcome.error.code === 'SHUTTING_DOWN';
        logger.error({ err: outcome.error }, 'websocket ingest failed; closing the connection');
        closeSocket(
          socket,
          shuttingDown ? CLOSE_CODES.serviceRestart : CLOSE_CODES.internalError,
          shuttingDown ? 'Server shutting down' : 'Storage unavailable',
        );
        return;
      }
      default:
        outcome satisfies never;
    }
  };

  reader.pipe((frame) => {
    if (failed) return;
    const size = frame.data.length;
    inFlightBytes += size;
    // Backpressure only under overload: pongs wait while the socket is paused.
    if (inFlightBytes > IN_FLIGHT_PAUSE_BYTES && !socket.isPaused) socket.pause();
    const outcome = ingestFrame(frame, options).finally(() => {
      inFlightBytes -= size;
      if (socket.isPaused && inFlightBytes <= IN_FLIGHT_PAUSE_BYTES / 2) socket.resume();
    });
    replies = replies
      .then(async () => reply(frame, await outcome))
      .catch((error: unknown) => logger.error({ err: error }, 'websocket reply failed'));
  });
}

async function ingestFrame(frame: Frame, options: EventsInOptions): Promise<FrameOutcome> {
  if (frame.isBinary) return rejectFrame(options, { pointer: '', type: 'binary_frame', message: 'Events must be sent as text frames' });
  let input: unknown;
  try {
    input = JSON.parse(frame.data.toString('utf8'));
  } catch {
    return rejectFrame(options, { pointer: '', type: 'json_invalid', message: 'The frame is not valid JSON' });
  }
  try {
    const result = await options.ingest.ingestOne(input);
    if (!result.ok) return { kind: 'invalid', eventId: result.eventId, issues: result.issues };
    return { kind: 'stored', id: normalizeUuid((input as { id: string }).id), result: result.result };
  } catch (error) {
    return { kind: 'failed', error };
  }
}

function rejectFrame(options: EventsInOptions, issue: Omit<ValidationIssue, 'path'>): FrameOutcome {
  options.metrics.eventsRejected.inc({ reason: issue.type });
  return { kind: 'invalid', eventId: null, issues: [{ ...issue, path: [] }] };
}

function send(socket: WebSocket, message: object): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}
