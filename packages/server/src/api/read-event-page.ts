import type { EventFilterInput, NormalizedEventFilter } from '@herald/core';
import { encodePageToken } from '../domain/page-token.js';
import type { EventCursor, EventStore } from '../storage/ports.js';

/** The path of the next-page route, as Prefect hard-codes it under `api/`. */
const NEXT_PAGE_PATH = '/api/events/filter/next';

export interface EventPageRequest {
  filter: NormalizedEventFilter;
  /** The wire filter with defaults filled in; it travels in the next page's token. */
  materialized: EventFilterInput;
  /** The total of the first page, repeated on every later page; null when the client asked not to count. */
  total: number | null;
  pageSize: number;
  /** Where the previous page ended; absent on the first page. */
  after?: EventCursor;
  /** `scheme://host[:port]` of the request, for the absolute `next_page` link. */
  origin: string;
}

/**
 * Reads one page and renders Prefect's `EventPage` as JSON text, splicing each event's stored canonical
 * JSON in without parsing it. One row beyond the page is read to know whether another page exists, so
 * `next_page` is null exactly when nothing follows — and always for `limit: 0`, which cannot advance
 * (Prefect returns an endless chain of empty pages there).
 *
 * @example
 * const json = await readEventPage(store, { filter, materialized, total, pageSize: 50, origin: 'http://127.0.0.1:4200' });
 * // '{"events":[{…},{…}],"total":120,"next_page":"http://127.0.0.1:4200/api/events/filter/next?page-token=…"}'
 */
export async function readEventPage(store: EventStore, request: EventPageRequest): Promise<string> {
  const { filter, pageSize, total } = request;
  const rows = pageSize === 0 ? [] : await store.page({ filter, limit: pageSize + 1, ...(request.after ? { after: request.after } : {}) });
  const events = rows.length > pageSize ? rows.slice(0, pageSize) : rows;
  const last = events.at(-1);
  const nextPage =
    rows.length > pageSize && last
      ? `${request.origin}${NEXT_PAGE_PATH}?page-token=${encodePageToken({
          filter: request.materialized,
          count: total ?? -1,
          page_size: pageSize,
          after: { occurred: last.occurred, seq: last.seq },
        })}`
      : null;
  return `{"events":[${events.map((e) => e.json).join(',')}],"total":${total},"next_page":${JSON.stringify(nextPage)}}`;
}
