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
import type { PostgresDatabase } from './postgres-database.js';

const asBoolean = (value: boolean) => value;

/**
 * Webhooks and their captured requests in the `webhooks` and `webhook_requests` tables.
 *
 * @example
 * const webhooks = new PostgresWebhookStore(db);
 * await webhooks.insertWebhook(record);
 */
export class PostgresWebhookStore implements WebhookStore {
  constructor(private readonly db: PostgresDatabase) {}

  async insertWebhook(record: WebhookRecord): Promise<void> {
    const params = Array.from({ length: 14 }, (_, i) => `$${i + 1}`).join(', ');
    await this.db.query(`INSERT INTO webhooks (${WEBHOOK_COLUMNS}) VALUES (${params})`, webhookValues(record, asBoolean));
  }

  async updateWebhook(record: WebhookRecord): Promise<boolean> {
    const sets = WEBHOOK_UPDATE_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ');
    const { rowCount } = await this.db.query(`UPDATE webhooks SET ${sets} WHERE id = $${WEBHOOK_UPDATE_COLUMNS.length + 1}`, webhookUpdateValues(record, asBoolean));
    return (rowCount ?? 0) > 0;
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.db.transaction(async (client) => {
      const { rowCount } = await client.query('DELETE FROM webhooks WHERE id = $1', [id]);
      await client.query('DELETE FROM webhook_requests WHERE webhook_id = $1', [id]);
      return (rowCount ?? 0) > 0;
    });
  }

  async getWebhook(id: string): Promise<WebhookRecord | null> {
    const { rows } = await this.db.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1`, [id]);
    return rows[0] ? webhookFromRow(rows[0]) : null;
  }

  async findWebhookBySlug(slug: string): Promise<WebhookRecord | null> {
    const { rows } = await this.db.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE slug = $1`, [slug]);
    return rows[0] ? webhookFromRow(rows[0]) : null;
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    const { rows } = await this.db.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created, id`);
    return rows.map(webhookFromRow);
  }

  async appendCapturedRequests(rows: readonly CapturedRequestRow[], keep: number): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction(async (client) => {
      await client.query(
        `INSERT INTO webhook_requests (id, webhook_id, received, record)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) ON CONFLICT (id) DO NOTHING`,
        [rows.map((r) => r.id), rows.map((r) => r.webhookId), rows.map((r) => r.received), rows.map((r) => r.record)],
      );
      await client.query(
        `DELETE FROM webhook_requests r USING (
           SELECT id, row_number() OVER (PARTITION BY webhook_id ORDER BY received DESC, id DESC) AS n
           FROM webhook_requests WHERE webhook_id = ANY($1::text[])) ranked
         WHERE r.id = ranked.id AND ranked.n > $2`,
        [[...new Set(rows.map((r) => r.webhookId))], keep],
      );
    });
  }

  async listCapturedRequests(webhookId: string, limit: number): Promise<CapturedRequestRow[]> {
    const { rows } = await this.db.query<CapturedRequestRow>(
      `SELECT ${CAPTURED_REQUEST_COLUMNS} FROM webhook_requests WHERE webhook_id = $1 ORDER BY received DESC, id DESC LIMIT $2`,
      [webhookId, limit],
    );
    return rows.map(capturedRowFrom);
  }

  async getCapturedRequest(webhookId: string, id: string): Promise<CapturedRequestRow | null> {
    const { rows } = await this.db.query<CapturedRequestRow>(
      `SELECT ${CAPTURED_REQUEST_COLUMNS} FROM webhook_requests WHERE webhook_id = $1 AND id = $2`,
      [webhookId, id],
    );
    return rows[0] ? capturedRowFrom(rows[0]) : null;
  }
}
