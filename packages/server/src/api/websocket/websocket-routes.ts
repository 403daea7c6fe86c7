import fastifyWebsocket from '@fastify/websocket';
import { MICROS } from '@herald/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Authenticator } from '../../auth/authenticator.js';
import type { IngestService } from '../../ingestion/ingest-service.js';
import type { EventBus } from '../../messaging/event-bus.js';
import type { HeraldMetrics } from '../../observability/metrics.js';
import type { EventStore } from '../../storage/ports.js';
import { handleEventsIn } from './events-in-route.js';
import { handleEventsOut } from './events-out-route.js';
import { FrameReader } from './frame-reader.js';
import { createBusEventDecoder, trackPublishedSeq } from './live-subscription.js';
import { acceptPrefectSocket, offersPrefectSubprotocol, selectPrefectSubprotocol } from './prefect-handshake.js';
import { CLOSE_CODES, closeSocket } from './socket-close.js';

export interface WebsocketOptions {
  /** How far back `/events/out` backfills at most, in µs (Prefect: 15 minutes). */
  maxBackfillMicros: number;
  /** Events per store page during the backfill (Prefect: 250). */
  backfillPageSize: number;
  /** Live events a slow subscriber may have waiting before newer ones are dropped (Prefect: 256). */
  subscriberBacklog: number;
  /** Largest inbound websocket message; larger ones close the connection with 1009. Must exceed the event size limit. */
  maxMessageBytes: number;
}

export const DEFAULT_WEBSOCKET_OPTIONS: WebsocketOptions = Object.freeze({
  maxBackfillMicros: 15 * MICROS.minute,
  backfillPageSize: 250,
  subscriberBacklog: 256,
  maxMessageBytes: 16 * 1024 * 1024,
});

export interface WebsocketDeps {
  ingest: IngestService;
  events: EventStore;
  bus: EventBus;
  auth: Authenticator;
  metrics: HeraldMetrics;
  logger: Logger;
  /** Current time in µs. */
  now: () => number;
  options: WebsocketOptions;
}

/**
 * The websocket routes `GET /api/events/in` and `GET /api/events/out`, with Prefect's handshake and two
 * opt-in Herald extensions: `/api/events/in?acks=true` and `/api/events/out?notices=true`. The protocol
 * is documented in `docs/websockets.md`.
 *
 * The plugin registers `@fastify/websocket` in its own scope, with the message size limit and the
 * `prefect` subprotocol selection, and skips that when an outer scope already did.
 *
 * @example
 * await app.register(websocketRoutes({ ingest, events, bus, auth, metrics, logger, now, options: DEFAULT_WEBSOCKET_OPTIONS }));
 */
export function websocketRoutes(deps: WebsocketDeps): FastifyPluginAsync {
  return async (app) => {
    if (!app.hasDecorator('websocketServer')) {
      await app.register(fastifyWebsocket, {
        options: { maxPayload: deps.options.maxMessageBytes, handleProtocols: selectPrefectSubprotocol },
        errorHandler: (error, socket) => onSocketError(deps.logger, error, socket),
        preClose: closeAllSockets,
      });
    }
    const decode = createBusEventDecoder();
    // With replicas, the bus's own position: the store may hold another replica's events not yet delivered.
    const start = deps.bus.deliveredSeq?.() ?? (await deps.events.lastSeq());
    const published = trackPublishedSeq(deps.bus, start);
    app.addHook('onClose', async () => published.stop());

    // Without the subprotocol there is no auth message, so a server that requires a key refuses the
    // upgrade itself: a real client sees HTTP 403, as with Prefect under uvicorn.
    const refuseUnauthenticatedLegacy = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!request.ws || offersPrefectSubprotocol(request.raw) || !(await deps.auth.isRequired())) return;
      return reply.code(403).send({
        statusCode: 403,
        code: 'AUTH_REQUIRED',
        error: 'Forbidden',
        message: 'An API key is required: connect with the "prefect" subprotocol and send {"type":"auth","token":"<key>"} first.',
      });
    };

    const serve = (
      route: 'in' | 'out',
      run: (socket: WebSocket, reader: FrameReader, query: Record<string, unknown>, logger: Logger) => Promise<void> | void,
    ) => {
      return async (socket: WebSocket, request: FastifyRequest) => {
        deps.metrics.websocketConnections.inc({ route });
        socket.once('close', () => deps.metrics.websocketConnections.dec({ route }));
        const reader = new FrameReader(socket);
        const logger = deps.logger.child({ route: `events/${route}` });
        if (!(await acceptPrefectSocket(socket, reader, { auth: deps.auth, subprotocol: offersPrefectSubprotocol(request.raw), logger })))
          return;
        await run(socket, reader, request.query as Record<string, unknown>, logger);
      };
    };

    app.get(
      '/api/events/in',
      { websocket: true, preValidation: refuseUnauthenticatedLegacy },
      serve('in', (socket, reader, query, logger) => {
        handleEventsIn(socket, reader, { ingest: deps.ingest, metrics: deps.metrics, logger, acks: isOn(query.acks) });
      }),
    );
    app.get(
      '/api/events/out',
      { websocket: true, preValidation: refuseUnauthenticatedLegacy },
      serve('out', (socket, reader, query, logger) =>
        handleEventsOut(socket, reader, {
          store: deps.events,
          bus: deps.bus,
          decode,
          published,
          metrics: deps.metrics,
          logger,
          now: deps.now,
          ...deps.options,
          notices: isOn(query.notices),
        }),
      ),
    );
  };
}

function isOn(value: unknown): boolean {
  return value === 'true' || value === '1';
}

/** Handler exceptions close with 1011; protocol errors (oversized or malformed frames) are already closing. */
function onSocketError(logger: Logger, error: Error, socket: WebSocket): void {
  if (socket.readyState === socket.OPEN) {
    logger.error({ err: error }, 'websocket handler failed');
    closeSocket(socket, CLOSE_CODES.internalError, 'Internal error');
  } else {
    logger.debug({ err: error }, 'websocket closed on a protocol error');
  }
}

/** How long a client has at shutdown to answer the close frame before its connection is cut. */
const SHUTDOWN_CLOSE_GRACE_MS = 1000;

/** On shutdown, 1012 tells clients (Prefect's included) to reconnect rather than stop. */
function closeAllSockets(this: FastifyInstance, done: () => void): void {
  const clients = [...this.websocketServer.clients];
  for (const client of clients) closeSocket(client, CLOSE_CODES.serviceRestart, 'Server shutting down');
  this.websocketServer.close();
  // ws waits 30 s for the client's close frame: one client that never answers would hold shutdown that long.
  if (clients.length > 0) setTimeout(() => clients.forEach((client) => client.terminate()), SHUTDOWN_CLOSE_GRACE_MS).unref();
  done();
}
