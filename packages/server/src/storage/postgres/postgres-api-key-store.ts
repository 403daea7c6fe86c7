import type { ApiKeyRecord, ApiKeyStore } from '../ports.js';
import type { PostgresDatabase } from './postgres-database.js';

const COLUMNS = 'id, name, prefix, hash, created, last_used AS "lastUsed", revoked';

/**
 * API keys in the `api_keys` table. Times are kept as the ISO strings they were given.
 *
 * @example
 * const keys = new PostgresApiKeyStore(db);
 * await keys.insertKey(record);
 */
export class PostgresApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: PostgresDatabase) {}

  async insertKey(record: ApiKeyRecord): Promise<void> {
    await this.db.query('INSERT INTO api_keys (id, name, prefix, hash, created, last_used, revoked) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      record.id,
      record.name,
      record.prefix,
      record.hash,
      record.created,
      record.lastUsed,
      record.revoked,
    ]);
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    return (await this.db.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created, id`)).rows;
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.db.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM api_keys WHERE hash = $1`, [hash]);
    return rows[0] ?? null;
  }

  /** Revokes an active key. False when no active key has this id; a revoked key keeps its first time. */
  async revokeKey(id: string, at: string): Promise<boolean> {
    const { rowCount } = await this.db.query('UPDATE api_keys SET revoked = $2 WHERE id = $1 AND revoked IS NULL', [id, at]);
    return (rowCount ?? 0) > 0;
  }

  async touchKey(id: string, at: string): Promise<void> {
    await this.db.query('UPDATE api_keys SET last_used = $2 WHERE id = $1', [id, at]);
  }
}
