import type { ConnectionRecord, ConnectionStore } from '../ports.js';
import {
  CONNECTION_COLUMNS,
  connectionFromRow,
  connectionUpdateValues,
  connectionValues,
  type ConnectionRow,
} from '../sql/connection-row.js';
import type { PostgresDatabase } from './postgres-database.js';

/**
 * Connections in the `connections` table; secrets arrive sealed and are stored as they are.
 *
 * @example
 * const connections = new PostgresConnectionStore(db);
 * await connections.insertConnection(record);
 */
export class PostgresConnectionStore implements ConnectionStore {
  constructor(private readonly db: PostgresDatabase) {}

  async insertConnection(record: ConnectionRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO connections (${CONNECTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      connectionValues(record),
    );
  }

  async updateConnection(record: ConnectionRecord): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE connections SET name = $1, kind = $2, settings = $3, secret_names = $4, secrets = $5, updated = $6 WHERE id = $7',
      connectionUpdateValues(record),
    );
    return (rowCount ?? 0) > 0;
  }

  async getConnection(id: string): Promise<ConnectionRecord | null> {
    const { rows } = await this.db.query<ConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM connections WHERE id = $1`, [id]);
    return rows[0] ? connectionFromRow(rows[0]) : null;
  }

  async listConnections(): Promise<ConnectionRecord[]> {
    const { rows } = await this.db.query<ConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM connections ORDER BY created, id`);
    return rows.map(connectionFromRow);
  }

  async deleteConnection(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM connections WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }
}
