import type { CapturedRequestRow, WebhookRecord, WebhookStore } from '../ports.js';
import {
  CAPTURED_REQUEST_COLUMNS,
  WEBHOOK_COLUMNS,
  WEBHOOK_UPDATE_COLUMNS,
  capturedRowFrom,
  webhookFromRow,
  webhookUpdateValues,
  webhookValues,
  type WebhookRow,
} from '../sql/webhook-row.js';
import type { SqliteReader } from './sqlite-reader.js';
import type { SqliteWriter } from './sqlite-writer.js';

/** Rows per multi-row INSERT: 4 parameters each, far below SQLite's parameter limit. */
const INSERT_CHUNK = 250;
const asInteger = (value: boolean) => (value ? 1 : 0);

/**
 * Webhooks and their captured requests in the `webhooks` and `webhook_requests` tables. Reads use the
 * main thread's connection; writes go through the writer worker, one statement each.
 *
 * @example
 * await storage.webhooks.insertWebhook(record);
 * await storage.webhooks.findWebhookBySlug(record.slug); // record
 */
export class SqliteWebhookStore implements WebhookStore {
  constructor(
    private readonly reader: SqliteReader,
    private readonly writer: SqliteWriter,
  ) {}

  async insertWebhook(record: WebhookRecord): Promise<void> {
    await this.writer.run(`INSERT INTO webhooks (${WEBHOOK_COLUMNS}) VALUES (${placeholders(14)})`, webhookValues(record, asInteger));
  }

  async updateWebhook(record: WebhookRecord): Promise<boolean> {
    const sql = `UPDATE webhooks SET ${WEBHOOK_UPDATE_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;
    return (await this.writer.run(sql, webhookUpdateValues(record, asInteger))) > 0;
  }

  async deleteWebhook(id: string): Promise<boolean> {
    const deleted = (await this.writer.run('DELETE FROM webhooks WHERE id = ?', [id])) > 0;
    await this.writer.run('DELETE FROM webhook_requests WHERE webhook_id = ?', [id]);
    return deleted;
  }

  async getWebhook(id: string): Promise<WebhookRecord | null> {
    const row = this.reader.prepare(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?`).get(id) as WebhookRow | undefined;
    return row === undefined ? null : webhookFromRow(row);
  }

  async findWebhookBySlug(slug: string): Promise<WebhookRecord | null> {
    const row = this.reader.prepare(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE slug = ?`).get(slug) as WebhookRow | undefined;
    return row === undefined ? null : webhookFromRow(row);
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    const rows = this.reader.prepare(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created, id`).all() as WebhookRow[];
    return rows.map(webhookFromRow);
  }

  async appendCapturedRequests(rows: readonly CapturedRequestRow[], keep: number): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await this.writer.run(
        `INSERT OR IGNORE INTO webhook_requests (id, webhook_id, received, record) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((r) => [r.id, r.webhookId, r.received, r.record]),
      );
    }
    for (const webhookId of new Set(rows.map((r) => r.webhookId))) {
      await this.writer.run(
        `DELETE FROM webhook_requests WHERE webhook_id = ? AND id NOT IN (
           SELECT id FROM webhook_requests WHERE webhook_id = ? ORDER BY received DESC, id DESC LIMIT ?)`,
        [webhookId, webhookId, keep],
      );
    }
  }

  async listCapturedRequests(webhookId: string, limit: number): Promise<CapturedRequestRow[]> {
    const sql = `SELECT ${CAPTURED_REQUEST_COLUMNS} FROM webhook_requests WHERE webhook_id = ? ORDER BY received DESC, id DESC LIMIT ?`;
    return (this.reader.prepare(sql).all(webhookId, limit) as CapturedRequestRow[]).map(capturedRowFrom);
  }

  async getCapturedRequest(webhookId: string, id: string): Promise<CapturedRequestRow | null> {
    const sql = `SELECT ${CAPTURED_REQUEST_COLUMNS} FROM webhook_requests WHERE webhook_id = ? AND id = ?`;
    const row = this.reader.prepare(sql).get(webhookId, id) as CapturedRequestRow | undefined;
    return row === undefined ? null : capturedRowFrom(row);
  }
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
