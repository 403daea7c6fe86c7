import { MICROS } from '@herald/core';
import type pg from 'pg';
import { DDL_LOCK_TIMEOUT_MS, isLockTimeout, LOCK_KEYS, type PostgresDatabase, type Queryable } from './postgres-database.js';

/** The two partitioned tables. Both are split on the same day boundaries. */
export const PARTITIONED_TABLES = ['events', 'event_resources'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** Which days get their own partition, relative to today (UTC). Other days go to the DEFAULT partition. */
export interface PartitionWindow {
  pastDays: number;
  futureDays: number;
}

export const DEFAULT_PARTITION_WINDOW: PartitionWindow = { pastDays: 400, futureDays: 7 };

/** The UTC day number (days since the epoch) of a time in µs; negative before 1970. */
export function dayOf(micros: number): number {
  return Math.floor(micros / MICROS.day);
}

/** `[from, to)` in µs of a day. */
export function dayBounds(day: number): { from: number; to: number } {
  return { from: day * MICROS.day, to: (day + 1) * MICROS.day };
}

/**
 * The name of a day partition: `events_p20261122`.
 *
 * @example
 * partitionName('events', dayOf(Date.UTC(2026, 10, 22) * 1000)) // 'events_p20261122'
 */
export function partitionName(table: PartitionedTable, day: number): string {
  return `${table}_p${new Date(day * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

const NAME_PATTERN = /^(events|event_resources)_p(\d{4})(\d{2})(\d{2})$/;

/** The day of a partition name made by {@link partitionName}, or null for any other name. */
export function dayOfPartitionName(name: string): number | null {
  const m = NAME_PATTERN.exec(name);
  if (!m) return null;
  return Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4])) / 86_400_000;
}

/** The day partitions of `events` that exist now, sorted by day. */
export async function listDayPartitions(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'events'::regclass`,
  );
  return rows
    .map((r) => dayOfPartitionName(r.name))
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
}

/** After a creation that timed out, how long a day waits before the next attempt (its events go to DEFAULT). */
const RETRY_AFTER_MS = 10_000;

/**
 * Creates day partitions on demand and remembers which exist. Creation runs in its own short
 * transaction under the events write lock, so two replicas racing for the same day create it once,
 * and no append inserts into the DEFAULT partition while rows are being moved out of it.
 *
 * Creating a partition needs a brief exclusive lock on the parent table, which a long query holds
 * off. Rather than stall every append behind it, creation gives up after {@link DDL_LOCK_TIMEOUT_MS};
 * the events then go to the DEFAULT partition, and the day is tried again later.
 *
 * @example
 * const partitions = new PostgresPartitions(db, { window: DEFAULT_PARTITION_WINDOW, now });
 * await partitions.load();
 * await partitions.ensureFor(records.map((r) => r.occurred));
 */
export class PostgresPartitions {
  private readonly known = new Set<number>();
  private retryAt = 0;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly options: { window: PartitionWindow; now: () => number },
  ) {}

  /** Reads the partitions that already exist (created by this or another replica). */
  async load(): Promise<void> {
    this.known.clear();
    for (const day of await listDayPartitions(this.db.pool)) this.known.add(day);
  }

  /** Makes sure every day of these times that lies in the window has its own partition. */
  async ensureFor(occurred: readonly number[]): Promise<void> {
    if (Date.now() < this.retryAt) return;
    const today = dayOf(this.options.now());
    const { pastDays, futureDays } = this.options.window;
    const missing = new Set<number>();
    for (const micros of occurred) {
      const day = dayOf(micros);
      if (!this.known.has(day) && day >= today - pastDays && day <= today + futureDays) missing.add(day);
    }
    if (missing.size === 0) return;
    const days = [...missing].sort((a, b) => a - b);
    try {
      await this.db.transaction(
        async (client) => {
          await client.query(`SET LOCAL lock_timeout = ${DDL_LOCK_TIMEOUT_MS}`);
          for (const day of days) for (const table of PARTITIONED_TABLES) await createDayPartition(client, table, day);
        },
        { lock: LOCK_KEYS.eventsWrite },
      );
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      this.retryAt = Date.now() + RETRY_AFTER_MS;
      this.db.logger?.warn(
        { days: days.map((d) => partitionName('events', d)) },
        'a long query held off partition creation; these events go to the DEFAULT partition for now',
      );
      return;
    }
    for (const day of days) this.known.add(day);
  }

  /** Forgets a day whose partitions were dropped. */
  forget(day: number): void {
    this.known.delete(day);
  }
}

/**
 * Creates one day partition unless it exists. The caller holds the events write lock. When the
 * DEFAULT partition already holds rows of that day (they arrived while the day was outside the
 * window), they are moved into the new table before it is attached, because PostgreSQL refuses to
 * create a partition whose rows sit in the default one.
 */
async function createDayPartition(client: pg.PoolClient, table: PartitionedTable, day: number): Promise<void> {
  const name = partitionName(table, day);
  const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [name]);
  if (rows[0]?.exists) return;
  const { from, to } = dayBounds(day);
  const range = `FOR VALUES FROM (${from}) TO (${to})`;
  const inDefault = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${table}_default WHERE occurred >= $1 AND occurred < $2) AS found`,
    [from, to],
  );
  if (!inDefault.rows[0]?.found) {
    await client.query(`CREATE TABLE ${name} PARTITION OF ${table} ${range}`);
    return;
  }
  await client.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await client.query(
    `WITH moved AS (DELETE FROM ${table}_default WHERE occurred >= $1 AND occurred < $2 RETURNING *)
     INSERT INTO ${name} SELECT * FROM moved`,
    [from, to],
  );
  // ATTACH builds the partitioned indexes on the new table.
  await client.query(`ALTER TABLE ${table} ATTACH PARTITION ${name} ${range}`);
}
