import { DDL_LOCK_TIMEOUT_MS, isLockTimeout, LOCK_KEYS, type PostgresDatabase } from './postgres-database.js';
import { dayBounds, listDayPartitions, partitionName, type PostgresPartitions } from './postgres-partitions.js';

/** Events deleted per transaction in the partition that straddles the cutoff (and the default one). */
const DELETE_BATCH = 5000;

/**
 * Removes events with `occurred < cutoff` and returns how many. Day partitions that lie wholly below
 * the cutoff are dropped (no dead rows, no vacuum); the partition that straddles it and the DEFAULT
 * partition lose their old rows by DELETE, in small batches so that appends are never held up long.
 * Every step takes the events write lock, so no append writes into a partition being dropped. A drop
 * that a long query holds off for longer than {@link DDL_LOCK_TIMEOUT_MS} ends the run early; the
 * next run tries again.
 *
 * @example
 * const removed = await purgeEventsBefore(db, partitions, now - 7 * MICROS.day);
 */
export async function purgeEventsBefore(db: PostgresDatabase, partitions: PostgresPartitions, cutoff: number): Promise<number> {
  let removed = 0;
  for (const day of await listDayPartitions(db.pool)) {
    if (dayBounds(day).to > cutoff) break;
    try {
      removed += await dropDay(db, day);
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      // Row-deleting this day instead would leave the bloat that dropping avoids: try again next run.
      db.logger?.warn(
        { partition: partitionName('events', day) },
        'a long query held off dropping an old partition; retention stops here until its next run',
      );
      return removed;
    }
    partitions.forget(day);
  }
  for (;;) {
    const deleted = await deleteBatch(db, cutoff);
    removed += deleted;
    if (deleted < DELETE_BATCH) return removed;
  }
}

/** Drops one day's partitions of both tables and returns how many events they held. */
async function dropDay(db: PostgresDatabase, day: number): Promise<number> {
  const events = partitionName('events', day);
  const resources = partitionName('event_resources', day);
  return db.transaction(
    async (client) => {
      // Another replica may have dropped it since the listing.
      const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [events]);
      if (!rows[0]?.exists) return 0;
      const count = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${events}`);
      await client.query(`SET LOCAL lock_timeout = ${DDL_LOCK_TIMEOUT_MS}`);
      // Dropping a partition locks the parent exclusively until COMMIT, so nothing else happens here.
      await client.query(`DROP TABLE IF EXISTS ${events}, ${resources}`);
      return count.rows[0]!.n;
    },
    { lock: LOCK_KEYS.eventsWrite },
  );
}

/** The row deletes of retention ($1 is the cutoff). Exported for the query-plan test. */
export const PURGE_SQL = {
  /** The key of the last event of a batch ($2 = batch size - 1). */
  bound: 'SELECT occurred, seq FROM events WHERE occurred < $1 ORDER BY occurred, seq OFFSET $2 LIMIT 1',
  eventsUpTo: 'DELETE FROM events WHERE occurred < $1 AND (occurred, seq) <= ($2, $3) RETURNING seq',
  events: 'DELETE FROM events WHERE occurred < $1 RETURNING seq',
  resources: 'DELETE FROM event_resources WHERE occurred < $1 AND seq = ANY($2::bigint[])',
} as const;

/**
 * Deletes the oldest `DELETE_BATCH` events below the cutoff and their resource rows. The batch is
 * bounded by the key of its last event, so both deletes are index range scans: events by
 * `(occurred, seq)`, resources by `seq`.
 */
async function deleteBatch(db: PostgresDatabase, cutoff: number): Promise<number> {
  return db.transaction(
    async (client) => {
      const bound = await client.query<{ occurred: number; seq: number }>(PURGE_SQL.bound, [cutoff, DELETE_BATCH - 1]);
      const last = bound.rows[0];
      const { rows } = last
        ? await client.query<{ seq: number }>(PURGE_SQL.eventsUpTo, [cutoff, last.occurred, last.seq])
        : await client.query<{ seq: number }>(PURGE_SQL.events, [cutoff]);
      if (rows.length > 0) await client.query(PURGE_SQL.resources, [cutoff, rows.map((r) => r.seq)]);
      return rows.length;
    },
    { lock: LOCK_KEYS.eventsWrite },
  );
}
