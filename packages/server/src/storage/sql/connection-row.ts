import type { ConnectionKind, JsonValue } from '@herald/core';
import type { ConnectionRecord } from '../ports.js';

/** The columns of the `connections` table, in the order both adapters insert them. */
export const CONNECTION_COLUMNS = 'id, name, kind, settings, secret_names, secrets, created, updated';

/** A row of the `connections` table as both drivers return it (PostgreSQL's int8 parsed as numbers). */
export interface ConnectionRow {
  id: string;
  name: string;
  kind: string;
  settings: string;
  secret_names: string;
  secrets: string;
  created: number;
  updated: number;
}

/**
 * The record of a `connections` row.
 *
 * @example
 * connectionFromRow(row).secretNames // ['url']
 */
export function connectionFromRow(row: ConnectionRow): ConnectionRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ConnectionKind,
    settings: JSON.parse(row.settings) as Record<string, JsonValue>,
    secretNames: JSON.parse(row.secret_names) as string[],
    sealedSecrets: row.secrets,
    created: row.created,
    updated: row.updated,
  };
}

/**
 * The values of a record in {@link CONNECTION_COLUMNS} order.
 *
 * @example
 * db.query(`INSERT INTO connections (${CONNECTION_COLUMNS}) VALUES (…)`, connectionValues(record));
 */
export function connectionValues(record: ConnectionRecord): (string | number)[] {
  return [
    record.id,
    record.name,
    record.kind,
    JSON.stringify(record.settings),
    JSON.stringify(record.secretNames),
    record.sealedSecrets,
    record.created,
    record.updated,
  ];
}

/**
 * The values of an update: name, kind, settings, secret_names, secrets, updated, then the id.
 *
 * @example
 * db.query('UPDATE connections SET name = $1, …, updated = $6 WHERE id = $7', connectionUpdateValues(record));
 */
export function connectionUpdateValues(record: ConnectionRecord): (string | number)[] {
  return [
    record.name,
    record.kind,
    JSON.stringify(record.settings),
    JSON.stringify(record.secretNames),
    record.sealedSecrets,
    record.updated,
    record.id,
  ];
}
