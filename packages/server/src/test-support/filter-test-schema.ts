import { RESOURCE_ID_LABEL, RESOURCE_ROLE_LABEL, type ReceivedEvent, type Resource } from '@herald/core';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { uuidToBlob } from '../storage/sql/uuid-blob.js';

/*
 * Test support for the filter compiler: the tables of docs/storage.md and rows written as it describes.
 * PostgreSQL tables are plain (not partitioned): partitioning changes nothing a filter can see.
 */

export const SQLITE_FILTER_SCHEMA = `
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, id BLOB NOT NULL, occurred INTEGER NOT NULL, received INTEGER NOT NULL,
  event TEXT NOT NULL, resource_id TEXT NOT NULL, json TEXT NOT NULL
);
CREATE UNIQUE INDEX events__id ON events(id);
CREATE INDEX events__occurred ON events(occurred);
CREATE INDEX events__event_occurred ON events(event, occurred);
CREATE TABLE event_resources (
  rid INTEGER PRIMARY KEY, resource_id TEXT NOT NULL, role TEXT, occurred INTEGER NOT NULL, labels TEXT
);
CREATE INDEX event_resources__resource_occurred ON event_resources(resource_id, occurred);
`;

export const POSTGRES_FILTER_SCHEMA = `
CREATE TABLE events (
  seq bigint NOT NULL, id uuid NOT NULL, occurred bigint NOT NULL, received bigint NOT NULL,
  event text NOT NULL, resource_id text NOT NULL, json text NOT NULL
);
CREATE INDEX ON events (occurred, seq);
CREATE INDEX ON events (event, occurred, seq);
CREATE INDEX ON events (id);
CREATE TABLE event_resources (
  seq bigint NOT NULL, position int NOT NULL, resource_id text NOT NULL, role text,
  occurred bigint NOT NULL, labels jsonb
);
CREATE INDEX ON event_resources (resource_id, occurred, seq);
CREATE INDEX ON event_resources (seq);
`;

/** One event as the stores write it. */
export interface FilterTestRow {
  seq: number;
  event: ReceivedEvent;
  occurred: number;
  received: number;
  json: string;
}

interface ResourceRow {
  position: number;
  resourceId: string;
  role: string | null;
  labels: string | null;
}

/** The `event_resources` rows of an event: role NULL when absent, labels NULL when there are no others. */
function resourceRows(event: ReceivedEvent): ResourceRow[] {
  return [event.resource, ...event.related].map((resource: Resource, position) => {
    const others = Object.entries(resource).filter(([label]) => label !== RESOURCE_ID_LABEL && label !== RESOURCE_ROLE_LABEL);
    return {
      position,
      resourceId: resource[RESOURCE_ID_LABEL]!,
      role: Object.hasOwn(resource, RESOURCE_ROLE_LABEL) ? resource[RESOURCE_ROLE_LABEL]! : null,
      labels: others.length > 0 ? JSON.stringify(Object.fromEntries(others)) : null,
    };
  });
}

/** Writes the rows into a SQLite database holding {@link SQLITE_FILTER_SCHEMA}: `rid = seq * 1024 + position`. */
export function insertSqliteRows(db: Database.Database, rows: readonly FilterTestRow[]): void {
  const insertEvent = db.prepare('INSERT INTO events (seq, id, occurred, received, event, resource_id, json) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertResource = db.prepare('INSERT INTO event_resources (rid, resource_id, role, occurred, labels) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const row of rows) {
      insertEvent.run(
        row.seq,
        uuidToBlob(row.event.id),
        row.occurred,
        row.received,
        row.event.event,
        row.event.resource[RESOURCE_ID_LABEL],
        row.json,
      );
      for (const r of resourceRows(row.event))
        insertResource.run(row.seq * 1024 + r.position, r.resourceId, r.role, row.occurred, r.labels);
    }
  })();
}

/** Writes the rows into a PostgreSQL database holding {@link POSTGRES_FILTER_SCHEMA}. */
export async function insertPostgresRows(client: pg.Client, rows: readonly FilterTestRow[]): Promise<void> {
  await client.query('BEGIN');
  for (const row of rows) {
    await client.query('INSERT INTO events (seq, id, occurred, received, event, resource_id, json) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      row.seq,
      row.event.id,
      row.occurred,
      row.received,
      row.event.event,
      row.event.resource[RESOURCE_ID_LABEL],
      row.json,
    ]);
    for (const r of resourceRows(row.event)) {
      await client.query(
        'INSERT INTO event_resources (seq, position, resource_id, role, occurred, labels) VALUES ($1, $2, $3, $4, $5, $6)',
        [row.seq, r.position, r.resourceId, r.role, row.occurred, r.labels],
      );
    }
  }
  await client.query('COMMIT');
}
