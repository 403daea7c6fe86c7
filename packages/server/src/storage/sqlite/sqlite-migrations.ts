import { HeraldError } from '@herald/core';
import type Database from 'better-sqlite3';

/** One schema change. Versions only grow; a released migration is never edited, only followed. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The ordered schema history (see `docs/storage.md`).
 *
 * `event_resources` is a view: resource ids are interned in `resource_keys`, in order of first sight,
 * and the resource index is on `(rkey, occurred)`. New resources thus land at the end of that index,
 * where the text index `(resource_id, occurred)` put every new uuid-bearing id on a random page; that
 * index was the largest ingest cost (29k → 41k events/s on 200k events, measured). The view keeps the
 * columns the filter compiler reads, and `resource_id = ?` still starts from an index (the unique one
 * on `resource_keys`).
 *
 * `events__occurred` carries `seq` (so it is ordered by the keyset `(occurred, seq)`), `event` and
 * `resource_id`: it covers counts, prefix and name conditions, count-by time and event, and distinct,
 * which otherwise read every row of the table (1M events: count of a prefix 730 → 110 ms, newest 50 of
 * a prefix that matches nothing 1,080 → 80 ms). New entries go to its end, so it costs little on ingest.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'events, interned event_resources, log_position, api_keys',
    sql: `
      CREATE TABLE events (
        seq         INTEGER PRIMARY KEY,
        id          BLOB    NOT NULL,
        occurred    INTEGER NOT NULL,
        received    INTEGER NOT NULL,
        event       TEXT    NOT NULL,
        resource_id TEXT    NOT NULL,
        json        TEXT    NOT NULL
      );
      CREATE UNIQUE INDEX events__id ON events(id);
      CREATE INDEX events__occurred ON events(occurred, seq, event, resource_id);
      CREATE INDEX events__event_occurred ON events(event, occurred);

      CREATE TABLE resource_keys (
        rkey        INTEGER PRIMARY KEY,
        resource_id TEXT    NOT NULL UNIQUE
      );
      CREATE TABLE event_resource_rows (
        rid         INTEGER PRIMARY KEY,
        rkey        INTEGER NOT NULL,
        role        TEXT,
        occurred    INTEGER NOT NULL,
        labels      TEXT
      );
      CREATE INDEX event_resource_rows__rkey_occurred ON event_resource_rows(rkey, occurred);
      CREATE VIEW event_resources (rid, resource_id, role, occurred, labels) AS
        SELECT rr.rid, rk.resource_id, rr.role, rr.occurred, rr.labels
        FROM event_resource_rows rr JOIN resource_keys rk ON rk.rkey = rr.rkey;

      CREATE TABLE log_position (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        last_seq INTEGER NOT NULL
      );
      INSERT INTO log_position (id, last_seq) VALUES (1, 0);

      CREATE TABLE api_keys (
        id        TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        prefix    TEXT NOT NULL,
        hash      TEXT NOT NULL UNIQUE,
        created   TEXT NOT NULL,
        last_used TEXT,
        revoked   TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'event_day_counts: events per UTC day and event name',
    // `day` is floor(occurred / 1 day), in days since the epoch; SQLite's `/` truncates towards zero,
    // so one is subtracted for a negative remainder (events before 1970). The writer keeps the table in
    // step with `events` in the transactions that insert and purge (see `sqlite-event-counts.ts`).
    sql: `
      CREATE TABLE event_day_counts (
        day   INTEGER NOT NULL,
        event TEXT    NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (day, event)
      ) WITHOUT ROWID;
      INSERT INTO event_day_counts (day, event, count)
        SELECT occurred / 86400000000 - (occurred % 86400000000 < 0) AS day, event, count(*)
        FROM events GROUP BY day, event;
    `,
  },
  {
    version: 3,
    name: 'automations, automation_relations, connections',
    // Times are µs since the epoch; `json` is the automation's wire JSON. Relations are deleted with
    // their automation in the same writer transaction (foreign keys are off in SQLite by default).
    sql: `
      CREATE TABLE automations (
        id      TEXT    PRIMARY KEY,
        name    TEXT    NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        tags    TEXT    NOT NULL,
        json    TEXT    NOT NULL
      );
      CREATE TABLE automation_relations (
        automation_id TEXT    NOT NULL,
        resource_id   TEXT    NOT NULL,
        owned         INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (automation_id, resource_id)
      );
      CREATE INDEX automation_relations__resource ON automation_relations(resource_id);
      CREATE TABLE connections (
        id           TEXT    PRIMARY KEY,
        name         TEXT    NOT NULL,
        kind         TEXT    NOT NULL,
        settings     TEXT    NOT NULL,
        secret_names TEXT    NOT NULL,
        secrets      TEXT    NOT NULL,
        created      INTEGER NOT NULL,
        updated      INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'webhooks, webhook_requests',
    // `webhook_requests` holds the last N captured requests of each webhook, each as JSON text; the
    // capture ring trims it after every batch it writes.
    sql: `
      CREATE TABLE webhooks (
        id                  TEXT    PRIMARY KEY,
        name                TEXT    NOT NULL,
        description         TEXT    NOT NULL,
        enabled             INTEGER NOT NULL,
        template            TEXT    NOT NULL,
        slug                TEXT    NOT NULL UNIQUE,
        api_key_hash        TEXT,
        api_key_prefix      TEXT,
        signature_preset    TEXT,
        signature_secret    TEXT,
        signature_tolerance INTEGER,
        rate_limit          REAL,
        created             TEXT    NOT NULL,
        updated             TEXT    NOT NULL
      );
      CREATE TABLE webhook_requests (
        id         TEXT    PRIMARY KEY,
        webhook_id TEXT    NOT NULL,
        received   INTEGER NOT NULL,
        record     TEXT    NOT NULL
      );
      CREATE INDEX webhook_requests__webhook_received ON webhook_requests(webhook_id, received, id);
    `,
  },
  {
    version: 6,
    name: 'event_minute_counts: events per UTC minute and event name',
    // As event_day_counts (migration 2), by minute: counts of windows that hold no whole day (the
    // feed's "past 24 h") read whole minutes here instead of every event (`sqlite-event-counts.ts`).
    sql: `
      CREATE TABLE event_minute_counts (
        minute INTEGER NOT NULL,
        event  TEXT    NOT NULL,
        count  INTEGER NOT NULL,
        PRIMARY KEY (minute, event)
      ) WITHOUT ROWID;
      INSERT INTO event_minute_counts (minute, event, count)
        SELECT occurred / 60000000 - (occurred % 60000000 < 0) AS minute, event, count(*)
        FROM events GROUP BY minute, event;
    `,
  },
  {
    version: 7,
    name: 'events.follows (16-byte BLOB) and its partial index',
    // The event's `follows`, stored as its id is (a 16-byte BLOB), for the `follows` filter clause. The
    // index is partial: events without `follows` (most of them) add nothing to it. `seq` is the rowid,
    // so the index is in keyset order for one leader. Existing rows are filled from their stored JSON.
    sql: `
      ALTER TABLE events ADD COLUMN follows BLOB;
      UPDATE events SET follows = unhex(replace(json_extract(json, '$.follows'), '-', ''))
        WHERE json_extract(json, '$.follows') IS NOT NULL;
      CREATE INDEX events__follows ON events(follows, occurred) WHERE follows IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: 'deferred resource index: event_resource_rows.pending, resource_index',
    // The resource index takes rows in batches, not as they are inserted (see `sqlite-resource-tail.ts`):
    // new rows are `pending`, outside the partial index, and the writer indexes every pending row once
    // they hold a batch of events. Rows from `resource_index.unindexed_from` on are pending; queries
    // read them by rowid range. Existing rows are all indexed.
    sql: `
      ALTER TABLE event_resource_rows ADD COLUMN pending INTEGER;
      DROP INDEX event_resource_rows__rkey_occurred;
      CREATE INDEX event_resource_rows__rkey_occurred ON event_resource_rows(rkey, occurred) WHERE pending IS NULL;
      CREATE TABLE resource_index (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        unindexed_from INTEGER NOT NULL
      );
      INSERT INTO resource_index (id, unindexed_from) SELECT 1, coalesce(max(rid), -1) + 1 FROM event_resource_rows;
    `,
  },
];

/**
 * Applies the migrations this database lacks, in version order, each in its own `BEGIN IMMEDIATE`
 * transaction (which also makes two processes opening one file queue up). Returns the versions
 * applied. Refuses a database migrated by a newer Herald.
 *
 * @example
 * migrateSqlite(db); // [1] on a new file, [] afterwards
 */
export function migrateSqlite(db: Database.Database, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`);
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const known = ordered.at(-1)?.version ?? 0;
  const applied: number[] = [];
  const isApplied = db.prepare<[number]>('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare<[number, string]>('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
  const newest = (db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
  if (newest > known) {
    throw new HeraldError('STORAGE_UNAVAILABLE', {
      message: `The database was migrated by a newer Herald (schema version ${newest}; this one knows up to ${known}).`,
      details: { schemaVersion: newest, knownVersion: known },
    });
  }
  for (const migration of ordered) {
    db.transaction(() => {
      if (isApplied.get(migration.version) !== undefined) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name);
      applied.push(migration.version);
    }).immediate();
  }
  return applied;
}
