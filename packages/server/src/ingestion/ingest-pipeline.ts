import { createEventValidator, formatDateTime, HeraldError, toMicros, type EventLimits, type ValidationIssue } from '@herald/core';
import type { Logger } from 'pino';
import type { EventBus } from '../messaging/event-bus.js';
import type { HeraldMetrics } from '../observability/metrics.js';
import type { AppendOutcome, AppendResult, EventRecord, EventStore } from '../storage/ports.js';
import { normalizeEvent } from './event-normalizer.js';
import { GroupCommitter, type CommittedBatch } from './group-committer.js';
import { JoinedStrings } from './joined-strings.js';
import type { IngestOneResult, IngestOutcome, IngestService } from './ingest-service.js';

export interface IngestPipelineOptions {
  store: EventStore;
  bus: EventBus;
  limits: EventLimits;
  commitMaxEvents: number;
  /** Batches written concurrently; more than one only for a store that commits in arrival order. */
  maxAppendsInFlight?: number;
  metrics: HeraldMetrics;
  logger: Logger;
  /** Current time in µs; injected so tests control `received`. */
  now?: () => number;
}

export interface IngestPipeline extends IngestService {
  /** Refuses new events, then waits for every accepted event to be committed and published. */
  close(): Promise<void>;
}

/**
 * The ingest pipeline: validate → normalise → group commit → acknowledge → publish.
 * An acknowledgement (a resolved promise) always means the event is committed.
 *
 * @example
 * const pipeline = createIngestPipeline({ store, bus, limits, commitMaxEvents: 5000, metrics, logger });
 * await pipeline.ingestBatch(JSON.parse(body));
 */
export function createIngestPipeline(options: IngestPipelineOptions): IngestPipeline {
  const { store, bus, metrics, logger } = options;
  const now = options.now ?? (() => toMicros(Date.now()));
  const validator = createEventValidator(options.limits);
  const committer = new GroupCommitter({
    maxEvents: options.commitMaxEvents,
    maxInFlight: options.maxAppendsInFlight ?? 1,
    write: (records) => store.append(records),
    onCommitted: (batch, outcome) => {
      metrics.groupCommitSize.observe(batch.ids.length);
      publishCommitted(batch, outcome);
    },
  });
  let closing = false;

  function publishCommitted({ ids, json }: CommittedBatch, outcome: AppendOutcome): void {
    const published = [];
    for (let i = 0; i < ids.length; i++) {
      const result = outcome.results[i];
      if (result === 'inserted') published.push({ seq: outcome.seqs[i]!, json: json.at(i) });
      else if (result === 'conflict')
        logger.warn({ eventId: ids.at(i) }, 'event id already stored with different content; the first write wins');
    }
    if (published.length > 0) bus.publish(published);
  }

  /** Validates and normalises one input; a batch shares one `received`, formatted once by the caller. */
  function prepare(
    input: unknown,
    path: (string | number)[],
    receivedUs: number,
    receivedText: string,
  ): { record: EventRecord } | { issues: ValidationIssue[] } {
    const validation = validator.validate(input, path);
    if (!validation.ok) return { issues: validation.issues };
    const normalized = normalizeEvent(validation.event, receivedUs, { maxEventBytes: options.limits.maxEventBytes, path, receivedText });
    return normalized.ok ? { record: normalized.record } : { issues: [normalized.issue] };
  }

  function countRejected(issues: ValidationIssue[]): void {
    for (const issue of issues) metrics.eventsRejected.inc({ reason: issue.type });
  }

  /**
   * Commits records with group commit and counts them; storage failures become `STORAGE_UNAVAILABLE`.
   * Not async itself, nor are the callers that hand it their records: a suspended async function keeps
   * its arguments and locals, and the records are the committer's to let go once written.
   */
  function commit(records: EventRecord[]): Promise<{ outcome: AppendOutcome; tally: IngestOutcome }> {
    if (closing) return Promise.reject(new HeraldError('SHUTTING_DOWN'));
    return counted(committer.submit(records));
  }

  async function counted(submitted: Promise<AppendOutcome>): Promise<{ outcome: AppendOutcome; tally: IngestOutcome }> {
    let outcome: AppendOutcome;
    try {
      outcome = await submitted;
    } catch (error) {
      throw error instanceof HeraldError ? error : new HeraldError('STORAGE_UNAVAILABLE', { cause: error });
    }
    const tally = tallyResults(outcome.results);
    metrics.eventsIngested.inc(tally.inserted);
    metrics.eventsDuplicate.inc(tally.duplicates);
    metrics.idConflicts.inc(tally.conflicts);
    return { outcome, tally };
  }

  /** Validates and normalises a `POST /api/events` body, all or nothing: throws listing every bad event. */
  function prepareBatch(body: unknown): EventRecord[] {
    if (!Array.isArray(body)) {
      const issue = { pointer: '', path: [], type: 'list_type', message: 'The body must be a JSON array of events' };
      countRejected([issue]);
      throw new HeraldError('EVENT_VALIDATION_FAILED', { details: { issues: [issue] } });
    }
    const receivedUs = now();
    const receivedText = formatDateTime(receivedUs);
    const records: EventRecord[] = [];
    const issues: ValidationIssue[] = [];
    body.forEach((input, index) => {
      const prepared = prepare(input, [index], receivedUs, receivedText);
      if ('record' in prepared) records.push(prepared.record);
      else issues.push(...prepared.issues);
    });
    if (issues.length > 0) {
      countRejected(issues);
      throw new HeraldError('EVENT_VALIDATION_FAILED', { details: { issues } });
    }
    return records;
  }

  // Not async: see commit. A websocket keeps thousands of events in flight.
  function ingestFrames(inputs: readonly unknown[]): Promise<IngestOneResult[]> {
    const results: IngestOneResult[] = new Array<IngestOneResult>(inputs.length);
    const records: EventRecord[] = [];
    const slots: number[] = [];
    try {
      const receivedUs = now();
      const receivedText = formatDateTime(receivedUs);
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i];
        const prepared = prepare(input, [], receivedUs, receivedText);
        if ('record' in prepared) {
          records.push(prepared.record);
          slots.push(i);
        } else {
          countRejected(prepared.issues);
          results[i] = { ok: false, issues: prepared.issues, eventId: inputEventId(input) };
        }
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (records.length === 0) return Promise.resolve(results);
    // Joined, as the committer keeps them: these wait for the commit too.
    const ids = JoinedStrings.of(records.map((record) => record.event.id));
    return commit(records).then(({ outcome }) => {
      for (let j = 0; j < ids.length; j++) results[slots[j]!] = { ok: true, id: ids.at(j), result: outcome.results[j]! };
      return results;
    });
  }

  return {
    // Not async: see commit.
    ingestBatch(body) {
      let records: EventRecord[];
      try {
        records = prepareBatch(body);
      } catch (error) {
        return Promise.reject(error);
      }
      if (records.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0, conflicts: 0 });
      return commit(records).then(({ tally }) => tally);
    },

    async ingestOne(input) {
      return (await ingestFrames([input]))[0]!;
    },

    ingestFrames,

    async close() {
      closing = true;
      await committer.flush();
    },
  };
}

function tallyResults(results: readonly AppendResult[]): IngestOutcome {
  const tally: IngestOutcome = { inserted: 0, duplicates: 0, conflicts: 0 };
  for (const r of results) {
    if (r === 'inserted') tally.inserted++;
    else if (r === 'duplicate') tally.duplicates++;
    else tally.conflicts++;
  }
  return tally;
}

/** The `id` of a rejected input, when it is an object with a string `id`, for the error reply. */
function inputEventId(input: unknown): string | null {
  const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}
