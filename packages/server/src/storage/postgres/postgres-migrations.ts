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
  {
    version: 3,
    name: 'automations, automation_relations, connections',
    // Times are µs since the epoch; `json` is the automation's wire JSON. `seq` keeps the order in which
    // relations were made (related-to lists in that order).
    sql: `
      CREATE TABLE automations (
        id      text    PRIMARY KEY,
        name    text    NOT NULL,
        created bigint  NOT NULL,
        updated bigint  NOT NULL,
        enabled boolean NOT NULL,
        tags    text    NOT NULL,
        json    text    NOT NULL
      );
      CREATE TABLE automation_relations (
        seq           bigint  GENERATED ALWAYS AS IDENTITY,
        automation_id text    NOT NULL REFERENCES automations(id) ON DELETE CASCADE,
        resource_id   text    NOT NULL,
        owned         boolean NOT NULL DEFAULT false,
        PRIMARY KEY (automation_id, resource_id)
      );
      CREATE INDEX automation_relations__resource ON automation_relations (resource_id, seq);
      CREATE TABLE connections (
        id           text   PRIMARY KEY,
        name         text   NOT NULL,
        kind         text   NOT NULL,
        settings     text   NOT NULL,
        secret_names text   NOT NULL,
        secrets      text   NOT NULL,
        created      bigint NOT NULL,
        updated      bigint NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'trigger service: engine state, checkpoint, job outbox, traces',
    // Used by `triggers/postgres-engine-state-store.ts`. `due` is wall-clock µs; `position` keeps the
    // order in which jobs were created (a firing's state event before its actions).
    sql: `
      CREATE TABLE trigger_engine_state (
        key   text PRIMARY KEY,
        value text NOT NULL
      );
      CREATE TABLE trigger_checkpoint (
        id  int    PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL
      );
      INSERT INTO trigger_checkpoint (id, seq) VALUES (1, 0);
      CREATE TABLE trigger_jobs (
        position      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id            text   NOT NULL UNIQUE,
        kind          text   NOT NULL,
        automation_id text   NOT NULL,
        depends_on    text,
        due           bigint NOT NULL,
        attempts      int    NOT NULL DEFAULT 0,
        last_error    text,
        body          text   NOT NULL
      );
      CREATE INDEX trigger_jobs__due ON trigger_jobs (due, position);
      CREATE TABLE trigger_traces (
        automation_id text PRIMARY KEY,
        body          text NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'webhooks, webhook_requests',
    sql: `
      CREATE TABLE webhooks (
        id                  text    PRIMARY KEY,
        name                text    NOT NULL,
        description         text    NOT NULL,
        enabled             boolean NOT NULL,
        template            text    NOT NULL,
        slug                text    NOT NULL UNIQUE,
        api_key_hash        text,
        api_key_prefix      text,
        signature_preset    text,
        signature_secret    text,
        signature_tolerance int,
        rate_limit          double precision,
        created             text    NOT NULL,
        updated             text    NOT NULL
      );
      CREATE TABLE webhook_requests (
        id         text   PRIMARY KEY,
        webhook_id text   NOT NULL,
        received   bigint NOT NULL,
        record     text   NOT NULL
      );
      CREATE INDEX webhook_requests__webhook_received ON webhook_requests (webhook_id, received, id);
    `,
  },
  {
    version: 7,
    name: 'events.follows and its partial index',
    // The event's `follows`, for the `follows` filter clause. Existing rows are filled from the tail of
    // their stored JSON, which is canonical (`serializeEvent`: `…,"follows":"<uuid>","received":"…"}`),
    // not by parsing it: ->> on json refuses a \u0000 anywhere in the document, and such events are
    // legal. The column is added on the partitioned table, so every partition gets it (no rewrite: it is
    // nullable, without a default). The index is created on the partitioned table after the backfill:
    // PostgreSQL builds it on every partition, DEFAULT included, in this transaction (a partitioned index
    // cannot be built CONCURRENTLY), and partitions created or attached later get it automatically. It is
    // partial: events without `follows` add nothing to it.
    sql: `
      ALTER TABLE events ADD COLUMN follows uuid;
      UPDATE events SET follows = substring(right(json, 200) from '"follows":"([0-9a-fA-F-]{32,36})","received":"[^"]*"}$')::uuid
        WHERE right(json, 200) ~ '"follows":"[0-9a-fA-F-]{32,36}","received":"[^"]*"}$';
      CREATE INDEX events__follows ON events (follows, occurred, seq) WHERE follows IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'trigger checkpoint: the fence of the consumer that may commit',
    // Used by `triggers/postgres-engine-state-store.ts`: each consumer that starts takes the next fence,
    // and only the holder of the current one may commit, so a replica that lost the trigger lease
    // while paused cannot commit an evaluation over its successor's.
    sql: `ALTER TABLE trigger_checkpoint ADD COLUMN fence bigint NOT NULL DEFAULT 0;`,
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
