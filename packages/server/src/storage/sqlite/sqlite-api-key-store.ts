import type { ApiKeyRecord, ApiKeyStore } from '../ports.js';
import type { SqliteReader } from './sqlite-reader.js';
import type { SqliteWriter } from './sqlite-writer.js';

const COLUMNS = 'id, name, prefix, hash, created, last_used AS lastUsed, revoked';

/**
 * API keys in the `api_keys` table. Reads use the main thread's read connection; writes go through
 * the writer worker like every other write, so that they never wait on (or block) an event commit on
 * the main thread. Times are kept as the ISO strings they were given.
 *
 * @example
 * await storage.keys.insertKey(record);
 * await storage.keys.findKeyByHash(record.hash); // record
 */
export class SqliteApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly reader: SqliteReader,
    private readonly writer: SqliteWriter,
  ) {}

  async insertKey(record: ApiKeyRecord): Promise<void> {
    await this.writer.run('INSERT INTO api_keys (id, name, prefix, hash, created, last_used, revoked) VALUES (?, ?, ?, ?, ?, ?, ?)', [
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
    return this.reader.prepare(`SELECT ${COLUMNS} FROM api_keys ORDER BY created, id`).all() as ApiKeyRecord[];
  }

  async findKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    return (this.reader.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE hash = ?`).get(hash) as ApiKeyRecord | undefined) ?? null;
  }

  /** Revokes an active key. False when no active key has this id; a revoked key keeps its first time. */
  async revokeKey(id: string, at: string): Promise<boolean> {
    return (await this.writer.run('UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL', [at, id])) > 0;
  }

  async touchKey(id: string, at: string): Promise<void> {
    await this.writer.run('UPDATE api_keys SET last_used = ? WHERE id = ?', [at, id]);
  }
}
