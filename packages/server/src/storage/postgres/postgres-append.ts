import { normalizeUuid } from '@herald/core';
import type pg from 'pg';
import type { AppendOutcome, AppendResult, EventRecord } from '../ports.js';
import { sameEventContent, toColumns } from './event-rows.js';
import { LOCK_KEYS, type PostgresDatabase } from './postgres-database.js';
import { LAST_SEQ_SQL } from './postgres-event-queries.js';
import type { PostgresPartitions } from './postgres-partitions.js';

/** Events per INSERT statement: keeps each array parameter to a few MB for typical events. */
const INSERT_CHUNK = 1000;

/**
 * Appends a batch in one transaction; resolves after COMMIT. A partitioned table cannot have a global
 * unique index on `id`, so appends are serialised by a transaction-level advisory lock: under it, the
 * ids already stored are looked up and only new events are inserted (first write wins). Holding the
 * lock until COMMIT also makes `seq` order equal commit order, so a consumer reading the log after a
 * checkpoint never misses a row that commits later with a lower seq.
 *
 * @example
 * const { results, lastSeq } = await appendEvents(db, partitions, records);
 */
export async function appendEvents(
  db: PostgresDatabase,
  partitions: PostgresPartitions,
  records: readonly EventRecord[],
): Promise<AppendOutcome> {
  await partitions.ensureFor(records.map((r) => r.occurred));
  const ids = records.map((r) => normalizeUuid(r.event.id));
  return db.transaction(
    async (client) => {
      const stored = await storedJsonById(client, [...new Set(ids)]);
      const results: AppendResult[] = [];
      const fresh: EventRecord[] = [];
      const freshIndex: number[] = [];
      records.forEach((record, i) => {
        const id = ids[i]!;
        const first = stored.get(id);
        if (first === undefined) {
          stored.set(id, record.json);
          fresh.push(record);
          freshIndex.push(i);
          results.push('inserted');
        } else {
          results.push(sameEventContent(first, record.json) ? 'duplicate' : 'conflict');
        }
      });
      const seqs: number[] = records.map(() => 0);
      if (fresh.length === 0) {
        const { rows } = await client.query<{ last: number }>(LAST_SEQ_SQL);
        return { results, seqs, lastSeq: rows[0]!.last };
      }
      const assigned = await nextSeqs(client, fresh.length);
      assigned.forEach((seq, k) => (seqs[freshIndex[k]!] = seq));
      for (let start = 0; start < fresh.length; start += INSERT_CHUNK) {
        await insertRows(client, fresh.slice(start, start + INSERT_CHUNK), assigned.slice(start, start + INSERT_CHUNK));
      }
      return { results, seqs, lastSeq: assigned[assigned.length - 1]! };
    },
    { lock: LOCK_KEYS.eventsWrite },
  );
}

async function storedJsonById(client: pg.PoolClient, ids: string[]): Promise<Map<string, string>> {
  const { rows } = await client.query<{ id: string; json: string }>('SELECT id::text AS id, json FROM events WHERE id = ANY($1::uuid[])', [
    ids,
  ]);
  return new Map(rows.map((r) => [r.id, r.json]));
}

async function nextSeqs(client: pg.PoolClient, count: number): Promise<number[]> {
  const { rows } = await client.query<{ seq: number }>("SELECT nextval('events_seq') AS seq FROM generate_series(1, $1::int)", [count]);
  return rows.map((r) => r.seq).sort((a, b) => a - b);
}

async function insertRows(client: pg.PoolClient, records: readonly EventRecord[], seqs: readonly number[]): Promise<void> {
  const { events, resources } = toColumns(records, seqs);
  await client.query(
    `INSERT INTO events (seq, id, occurred, received, event, resource_id, json, follows)
     SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::uuid[])`,
    [events.seq, events.id, events.occurred, events.received, events.event, events.resourceId, events.json, events.follows],
  );
  await client.query(
    `INSERT INTO event_resources (seq, position, resource_id, role, occurred, labels)
     SELECT s, p, r, ro, o, l::jsonb FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS u(s, p, r, ro, o, l)`,
    [resources.seq, resources.position, resources.resourceId, resources.role, resources.occurred, resources.labels],
  );
}
