import type { ConnectionRecord, ConnectionStore } from '../ports.js';
import {
  CONNECTION_COLUMNS,
  connectionFromRow,
  connectionUpdateValues,
  connectionValues,
  type ConnectionRow,
} from '../sql/connection-row.js';
import type { SqliteReader } from './sqlite-reader.js';
import type { SqliteWriter } from './sqlite-writer.js';

/**
 * Connections in the `connections` table; secrets arrive sealed and are stored as they are. Writes go
 * through the writer worker.
 *
 * @example
 * await storage.connections.insertConnection(record);
 * await storage.connections.getConnection(record.id); // record
 */
export class SqliteConnectionStore implements ConnectionStore {
  constructor(
    private readonly reader: SqliteReader,
    private readonly writer: SqliteWriter,
  ) {}

  async insertConnection(record: ConnectionRecord): Promise<void> {
    await this.writer.run(`INSERT INTO connections (${CONNECTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, connectionValues(record));
  }

  async updateConnection(record: ConnectionRecord): Promise<boolean> {
    const sql = 'UPDATE connections SET name = ?, kind = ?, settings = ?, secret_names = ?, secrets = ?, updated = ? WHERE id = ?';
    return (await this.writer.run(sql, connectionUpdateValues(record))) > 0;
  }

  async getConnection(id: string): Promise<ConnectionRecord | null> {
    const row = this.reader.prepare(`SELECT ${CONNECTION_COLUMNS} FROM connections WHERE id = ?`).get(id) as ConnectionRow | undefined;
    return row === undefined ? null : connectionFromRow(row);
  }

  async listConnections(): Promise<ConnectionRecord[]> {
    const rows = this.reader.prepare(`SELECT ${CONNECTION_COLUMNS} FROM connections ORDER BY created, id`).all() as ConnectionRow[];
    return rows.map(connectionFromRow);
  }

  async deleteConnection(id: string): Promise<boolean> {
    return (await this.writer.run('DELETE FROM connections WHERE id = ?', [id])) > 0;
  }
}
