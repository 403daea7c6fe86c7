import type { CapturedRequestRow, WebhookRecord, WebhookSignaturePreset } from '../ports.js';

/** The columns of the `webhooks` table, in the order both adapters insert them. */
export const WEBHOOK_COLUMNS =
  'id, name, description, enabled, template, slug, api_key_hash, api_key_prefix, signature_preset, signature_secret, signature_tolerance, rate_limit, created, updated';

/** The assignments of an update, in the order of {@link webhookUpdateValues} (id last). */
export const WEBHOOK_UPDATE_COLUMNS = [
  'name',
  'description',
  'enabled',
  'template',
  'slug',
  'api_key_hash',
  'api_key_prefix',
  'signature_preset',
  'signature_secret',
  'signature_tolerance',
  'rate_limit',
  'updated',
] as const;

/** The columns of `webhook_requests` as both adapters select them. */
export const CAPTURED_REQUEST_COLUMNS = 'id, webhook_id AS "webhookId", received, record';

/** A `webhooks` row as both drivers return it (SQLite's booleans are 0/1). */
export interface WebhookRow {
  id: string;
  name: string;
  description: string;
  enabled: boolean | number;
  template: string;
  slug: string;
  api_key_hash: string | null;
  api_key_prefix: string | null;
  signature_preset: string | null;
  signature_secret: string | null;
  signature_tolerance: number | null;
  rate_limit: number | null;
  created: string;
  updated: string;
}

/**
 * The record of a `webhooks` row.
 *
 * @example
 * webhookFromRow(row).enabled // true
 */
export function webhookFromRow(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled === true || row.enabled === 1,
    template: row.template,
    slug: row.slug,
    apiKeyHash: row.api_key_hash,
    apiKeyPrefix: row.api_key_prefix,
    signature:
      row.signature_preset === null || row.signature_secret === null
        ? null
        : {
            preset: row.signature_preset as WebhookSignaturePreset,
            sealedSecret: row.signature_secret,
            toleranceSeconds: row.signature_tolerance ?? 0,
          },
    rateLimit: row.rate_limit,
    created: row.created,
    updated: row.updated,
  };
}

type Cell = string | number | null;

/** The values of a record in {@link WEBHOOK_COLUMNS} order; booleans as `booleanOf` gives them. */
export function webhookValues<B>(record: WebhookRecord, booleanOf: (value: boolean) => B): (Cell | B)[] {
  const update = webhookUpdateValues(record, booleanOf);
  // The update's values minus its trailing `updated, id`, between the id and the two times.
  return [record.id, ...update.slice(0, -2), record.created, record.updated];
}

/** The values of an update in {@link WEBHOOK_UPDATE_COLUMNS} order, then the id. */
export function webhookUpdateValues<B>(record: WebhookRecord, booleanOf: (value: boolean) => B): (Cell | B)[] {
  return [
    record.name,
    record.description,
    booleanOf(record.enabled),
    record.template,
    record.slug,
    record.apiKeyHash,
    record.apiKeyPrefix,
    record.signature?.preset ?? null,
    record.signature?.sealedSecret ?? null,
    record.signature?.toleranceSeconds ?? null,
    record.rateLimit,
    record.updated,
    record.id,
  ];
}

/** Parses a captured-request row's numeric column, which PostgreSQL may return as text. */
export function capturedRowFrom(row: CapturedRequestRow): CapturedRequestRow {
  return { id: row.id, webhookId: row.webhookId, received: Number(row.received), record: row.record };
}
