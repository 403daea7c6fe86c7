/*
 * The deferred resource index of SQLite (migration 8).
 *
 * `event_resource_rows__rkey_occurred` orders rows by resource. The flows, deployments and work pools
 * that most events name are few, and each has its own hot leaf page in that index, so a commit of 100
 * events rewrote one leaf per resource it touched: 185 of the 302 WAL pages of such a commit
 * (docs/benchmarks.md, `bench/lib/wal-pages.mjs`). Rows are therefore inserted `pending`, outside the
 * partial index, and the writer indexes the pending rows together once they hold
 * `RESOURCE_INDEX_BATCH_EVENTS` events: each hot leaf is then written once for thousands of events.
 * That happens after the appends that filled the tail are acknowledged, so that they do not wait
 * for it: in a transaction of its own when no append waits, else in the next append's transaction.
 *
 * The pending rows are always the newest ones, from `resource_index.unindexed_from` (a rid) on, and no
 * row below that rid is pending. A query that finds rows through the index therefore adds the tail: a
 * rowid range scan of fewer than `RESOURCE_INDEX_BATCH_EVENTS` events' rows, plus those of the
 * appends committed since the tail filled, until it is indexed.
 */

/** Events whose rows wait outside the resource index before the writer indexes them together. */
export const RESOURCE_INDEX_BATCH_EVENTS = 2048;

/** The writer's statements that read the tail's start and move the rows of `[from, to)` (rids) into the resource index. */
export const INDEX_PENDING_SQL = {
  rows: 'UPDATE event_resource_rows SET pending = NULL WHERE rid >= ? AND rid < ?',
  position: 'UPDATE resource_index SET unindexed_from = ? WHERE id = 1',
  read: 'SELECT unindexed_from FROM resource_index WHERE id = 1',
} as const;

/** SQL: the first rid not yet in the resource index (every row from it on is pending). */
export const UNINDEXED_FROM_SQL = `(${INDEX_PENDING_SQL.read})`;
