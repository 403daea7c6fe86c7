import type { ValidationIssue } from '@herald/core';
import type { AppendResult } from '../storage/ports.js';

/** What one accepted batch did. Duplicates and conflicts are acknowledged too (first write wins). */
export interface IngestOutcome {
  inserted: number;
  duplicates: number;
  conflicts: number;
}

/** The result of one event sent on `/api/events/in`; `id` is the stored event's id in canonical form. */
export type IngestOneResult =
  { ok: true; id: string; result: AppendResult } | { ok: false; issues: ValidationIssue[]; eventId: string | null };

/**
 * The ingest pipeline: validate, normalise (set `received`, canonical JSON), append with group commit,
 * then publish to the bus. Every promise resolves only after the events are durably committed.
 */
export interface IngestService {
  /**
   * Ingests a `POST /api/events` body: a JSON array of events, all-or-nothing. Throws
   * `HeraldError('EVENT_VALIDATION_FAILED', { details: { issues } })` listing every bad event, with
   * pointers such as `/3/resource`, when any event is invalid or too large; nothing is stored then.
   */
  ingestBatch(body: unknown): Promise<IngestOutcome>;
  /** Ingests one event from the websocket stream. Invalid events come back as issues; they never throw. */
  ingestOne(input: unknown): Promise<IngestOneResult>;
  /**
   * Ingests events from consecutive websocket frames, one result per input in the same order. Each
   * input is validated alone, so a bad one never affects the others; the valid ones are committed
   * together as one group-commit submission. Rejects (`STORAGE_UNAVAILABLE`, `SHUTTING_DOWN`) only
   * when that commit fails, and then none of the inputs is acknowledged.
   *
   * @example
   * const [first, second] = await ingest.ingestFrames([JSON.parse(a), JSON.parse(b)]);
   * if (first.ok) console.log(first.id, first.result); // '0193…', 'inserted'
   */
  ingestFrames(inputs: readonly unknown[]): Promise<IngestOneResult[]>;
}
