import secureJson from 'secure-json-parse';
import type { IngestOneResult, IngestService } from '../../ingestion/ingest-service.js';
import type { HeraldMetrics } from '../../observability/metrics.js';
import type { Frame } from './frame-reader.js';

type Rejection = Extract<IngestOneResult, { ok: false }>;

/** Frames refused before validation. Shared and frozen: nothing a frame parses to is identical to them. */
const BINARY_FRAME: Rejection = rejection('binary_frame', 'Events must be sent as text frames');
const INVALID_JSON: Rejection = rejection('json_invalid', 'The frame is not valid JSON');
const FORBIDDEN_KEY: Rejection = rejection('json_invalid', 'The frame has a __proto__ or constructor.prototype key, which Herald refuses');

/**
 * Ingests consecutive `/events/in` frames as one `ingestFrames` call (one group-commit submission),
 * resolving with one result per frame in frame order. Binary frames and frames that are not JSON are
 * rejected here; every other frame is validated alone by the ingest service. Rejects only when the
 * commit fails.
 *
 * The frames are parsed before this returns, and the commit's promise is returned, not awaited, so that
 * nothing keeps them (nor the socket read buffers their bytes point into, nor the parsed inputs) while
 * the commit runs: a suspended async function keeps its arguments and locals.
 *
 * @example
 * const results = await ingestFrameBatch(frames, { ingest, metrics });
 * results[0]; // { ok: true, id: '0193…', result: 'inserted' }
 */
export async function ingestFrameBatch(
  frames: readonly Frame[],
  options: { ingest: IngestService; metrics: HeraldMetrics },
): Promise<IngestOneResult[]> {
  const inputs = new Array<unknown>(frames.length);
  let rejected = 0;
  for (let i = 0; i < frames.length; i++) {
    const input = parseFrame(frames[i]!);
    if (isRejection(input)) {
      options.metrics.eventsRejected.inc({ reason: input.issues[0]!.type });
      rejected++;
    }
    inputs[i] = input;
  }
  if (rejected === 0) return options.ingest.ingestFrames(inputs);
  return ingestAroundRejections(inputs, rejected, options.ingest);
}

/** Sends only the parsed inputs to the ingest service and puts the route's own rejections back in place. */
async function ingestAroundRejections(inputs: unknown[], rejected: number, ingest: IngestService): Promise<IngestOneResult[]> {
  const valid = inputs.filter((input) => !isRejection(input));
  const validResults = rejected < inputs.length ? await ingest.ingestFrames(valid) : [];
  let next = 0;
  return inputs.map((input) => (isRejection(input) ? input : validResults[next++]!));
}

/** Parses a frame as `POST /api/events` parses its body: prototype-poisoning keys are refused on both. */
function parseFrame(frame: Frame): unknown {
  if (frame.isBinary) return BINARY_FRAME;
  const text = frame.data.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
  // The scan walks the value only when the text names a key it looks for.
  if (typeof value !== 'object' || value === null || (!text.includes('__proto__') && !text.includes('constructor'))) return value;
  try {
    secureJson.scan(value, { protoAction: 'error', constructorAction: 'error' });
    return value;
  } catch {
    return FORBIDDEN_KEY;
  }
}

function isRejection(input: unknown): input is Rejection {
  return input === BINARY_FRAME || input === INVALID_JSON || input === FORBIDDEN_KEY;
}

function rejection(type: string, message: string): Rejection {
  return Object.freeze({ ok: false, eventId: null, issues: [Object.freeze({ pointer: '', path: [], type, message })] });
}
