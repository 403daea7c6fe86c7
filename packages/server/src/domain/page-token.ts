import type { EventFilterInput } from '@herald/core';

/**
 * What a `page-token` carries between `POST /api/events/filter` and `GET /api/events/filter/next`.
 * Herald pages on a keyset, so instead of Prefect's `offset` the token holds the position of the
 * last event served.
 */
export interface PageTokenState {
  /** The wire filter with its defaults filled in (a fixed `until`), re-run for every page. */
  filter: EventFilterInput;
  /** The total computed on the first page; later pages repeat it. -1 when the first page skipped it (`?count=false`). */
  count: number;
  /** The page size of the first request. */
  page_size: number;
  /** The (occurred µs, seq) of the last event of the previous page; the next page starts after it. */
  after: { occurred: number; seq: number };
}

/**
 * Encodes a page token as the spec does: base64 of the base64 of the JSON, standard alphabet with
 * padding. The outer layer only ever contains `[A-Za-z0-9=]`, so it needs no URL escaping.
 *
 * @example
 * encodePageToken({ filter, count: 120, page_size: 50, after: { occurred, seq } }) // 'ZXlK…'
 */
export function encodePageToken(state: PageTokenState): string {
  const inner = Buffer.from(JSON.stringify(state), 'utf8').toString('base64');
  return Buffer.from(inner, 'ascii').toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64: Node's decoder silently skips invalid characters, which would accept tampered tokens. */
function decodeBase64(text: string): Buffer | null {
  return text.length > 0 && BASE64.test(text) ? Buffer.from(text, 'base64') : null;
}

function isPosition(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes a page token. Returns `null` for anything that is not a token this server could have made:
 * bad base64 at either layer, bad JSON, missing or mistyped fields, or a page size outside
 * `1..maxPageSize`. It never throws. The filter inside is checked by the caller with `parseEventFilter`.
 *
 * @example
 * const state = decodePageToken(request.query['page-token'], 200);
 * if (!state) throw new HeraldError('PAGE_TOKEN_INVALID');
 */
export function decodePageToken(token: string, maxPageSize: number): PageTokenState | null {
  const outer = decodeBase64(token);
  if (!outer) return null;
  const inner = decodeBase64(outer.toString('latin1'));
  if (!inner) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inner));
  } catch {
    return null;
  }
  if (!isObject(parsed) || !isObject(parsed.filter) || !isObject(parsed.after)) return null;
  const { filter, count, page_size: pageSize, after } = parsed;
  if (!isPosition(count) || count < -1) return null;
  if (!isPosition(pageSize) || pageSize < 1 || pageSize > maxPageSize) return null;
  if (!isPosition(after.occurred) || !isPosition(after.seq) || after.seq < 0) return null;
  return { filter, count, page_size: pageSize, after: { occurred: after.occurred, seq: after.seq } };
}
