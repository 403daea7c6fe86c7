import type { ValidationIssue } from '@herald/core';
import type { AppendResult } from '../storage/ports.js';

/** What one accepted batch did. Duplicates and conflicts are acknowledged too (first write wins). */
export interface IngestOutcome {
  inserted: number;
  duplicates: number;
  conflicts: number;
}

/** The result of one event sent on `/api/events/in`. */
export type IngestOneResult =
  | { ok: true; result: AppendResult }
  | { ok: false; issues: ValidationIssue[]; eventId: string | null };

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
}
