// Builds stored records exactly as Herald's ingest pipeline does (validated catalogue events through the
// compiled `normalizeEvent`: canonical JSON with `received`), for the baselines and the seeder.
import { DEFAULT_EVENT_LIMITS } from '@herald/core';
import { normalizeEvent } from '../../packages/server/dist/ingestion/event-normalizer.js';

/**
 * `count` records from `next()` (a catalogue), each received `receivedDelayUs` after it occurred, or
 * now when `occurredOf` is not given.
 */
export function buildRecords(next, count, { occurredOf, receivedDelayUs = 50_000 } = {}) {
  const records = [];
  const nowUs = Date.now() * 1000;
  for (let i = 0; i < count; i++) {
    const occurredMs = occurredOf ? occurredOf(i) : Date.now();
    const event = next(new Date(occurredMs));
    const receivedUs = occurredOf ? Math.round(occurredMs * 1000) + receivedDelayUs : nowUs;
    const normalized = normalizeEvent(event, receivedUs, { maxEventBytes: DEFAULT_EVENT_LIMITS.maxEventBytes, path: [] });
    if (!normalized.ok) throw new Error(`catalogue event refused: ${JSON.stringify(normalized.issue)}`);
    records.push(normalized.record);
  }
  return records;
}
