import { LOCK_KEYS, type PostgresDatabase } from './postgres-database.js';

/** One schema change. Versions only grow; a released migration is never edited, only followed. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The ordered schema history. `event` and `resource_id` use the "C" collation so that their b-tree
 * order is byte order: prefix filters (`LIKE 'p%'`, ranges) can then use the indexes, and group
 * orderings match SQLite's BINARY collation.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'events, event_resources (partitioned by day), api_keys',
    sql: `
      CREATE SEQUENCE events_seq AS bigint;

      CREATE TABLE events (
        seq         bigint NOT NULL,
        id          uuid   NOT NULL,
        occurred    bigint NOT NULL,
        received    bigint NOT NULL,
        event       text COLLATE "C" NOT NULL,
        resource_id text COLLATE "C" NOT NULL,
        json        text   NOT NULL,
        PRIMARY KEY (occurred, seq)
      ) PARTITION BY RANGE (occurred);
      CREATE INDEX events__event_occurred_seq ON events (event, occurred, seq);
      CREATE INDEX events__id ON events (id);
      CREATE INDEX events__seq ON events (seq);
      CREATE TABLE events_default PARTITION OF events DEFAULT;

      CREATE TABLE event_resources (
        seq         bigint NOT NULL,
        position    int    NOT NULL,
        resource_id text COLLATE "C" NOT NULL,
        role        text COLLATE "C",
        occurred    bigint NOT NULL,
        labels      jsonb
      ) PARTITION BY RANGE (occurred);
      CREATE INDEX event_resources__resource_occurred_seq ON event_resources (resource_id, occurred, seq);
      CREATE INDEX event_resources__seq ON event_resources (seq);
      CREATE TABLE event_resources_default PARTITION OF event_resources DEFAULT;

      CREATE TABLE api_keys (
        id        text PRIMARY KEY,
        name      text NOT NULL,
        prefix    text NOT NULL,
        hash      text NOT NULL UNIQUE,
        created   text NOT NULL,
        last_used text,
        revoked   text
      );
    `,
  },
];

/**
 * Applies the migrations this database lacks, in order, in one transaction. A transaction-level
 * advisory lock makes replicas that start together queue up: the first migrates, the others then
 * find nothing to do. Returns the versions applied by this call.
 *
 * @example
 * await migratePostgres(db); // [1] on a new database, [] afterwards
 */
export async function migratePostgres(
  db: PostgresDatabase,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  return db.transaction(
    async (client) => {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version    int PRIMARY KEY,
          name       text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(rows.map((r) => r.version));
      const applied: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        applied.push(migration.version);
      }
      return applied;
    },
    { lock: LOCK_KEYS.migrations },
  );
}
