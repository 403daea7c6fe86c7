import { PostgresDatabase, type PostgresLogger } from '../storage/postgres/postgres-database.js';
import { FencedOutError, type EngineCommit, type EngineSnapshot, type EngineStateStore, type StoredJob } from './engine-state-store.js';

const JOB_COLUMNS =
  'j.id, j.kind, j.automation_id AS "automationId", j.depends_on AS "dependsOn", j.due, j.attempts, j.last_error AS "lastError", j.body';

/** 'HRLD' << 32 | 4: serialises engine commits, so a second replica's consumer cannot interleave with ours. */
const COMMIT_LOCK = 0x48524c4400000004n;

/**
 * Opens the PostgreSQL engine state store on a small pool of its own. Its tables are created by
 * migration 4 of `storage/postgres/postgres-migrations.ts`, which `openStorage` applies first. Each
 * commit is one transaction.
 *
 * @example
 * const store = openPostgresEngineStateStore({ url: config.storage.databaseUrl! });
 */
export function openPostgresEngineStateStore(options: { url: string; logger?: PostgresLogger }): EngineStateStore {
  return new PostgresEngineStateStore(new PostgresDatabase({ url: options.url, maxConnections: 4, logger: options.logger }));
}

class PostgresEngineStateStore implements EngineStateStore {
  readonly dialect = 'postgres' as const;

  /** The fence this store claimed; null until `claim`. */
  private fence: number | null = null;

  constructor(private readonly db: PostgresDatabase) {}

  async claim(): Promise<void> {
    // Under the commit lock: a commit that checked the old fence has finished before the new one exists.
    this.fence = await this.db.transaction(
      async (client) => {
        const { rows } = await client.query<{ fence: number }>('UPDATE trigger_checkpoint SET fence = fence + 1 WHERE id = 1 RETURNING fence');
        return rows[0]!.fence;
      },
      { lock: COMMIT_LOCK },
    );
  }

  async load(): Promise<EngineSnapshot> {
    const records = await this.db.query<{ key: string; value: string }>('SELECT key, value FROM trigger_engine_state ORDER BY key');
    const checkpoint = await this.db.query<{ seq: number }>('SELECT seq FROM trigger_checkpoint WHERE id = 1');
    const traces = await this.db.query<{ automationId: string; body: string }>(
      'SELECT automation_id AS "automationId", body FROM trigger_traces',
    );
    return { records: records.rows, checkpoint: checkpoint.rows[0]?.seq ?? 0, traces: traces.rows };
  }

  async commit(batch: EngineCommit): Promise<void> {
    const fence = this.fence;
    await this.db.transaction(
      async (client) => {
        // The checkpoint moves only under this store's fence; otherwise the whole commit is refused.
        const moved = await client.query(
          'UPDATE trigger_checkpoint SET seq = greatest(seq, $1) WHERE id = 1 AND ($2::bigint IS NULL OR fence = $2)',
          [batch.checkpoint, fence],
        );
        if (moved.rowCount === 0) {
          const { rows } = await client.query<{ fence: number }>('SELECT fence FROM trigger_checkpoint WHERE id = 1');
          throw new FencedOutError(fence!, rows[0]?.fence ?? 0);
        }
        // One row per key (ON CONFLICT may not touch a row twice); the batch's last change of a key wins.
        const last = new Map(batch.state.map((r) => [r.key, r.value]));
        const deletes = [...last].filter(([, value]) => value === null).map(([key]) => key);
        const upserts = [...last].filter((entry): entry is [string, string] => entry[1] !== null);
        if (deletes.length > 0) await client.query('DELETE FROM trigger_engine_state WHERE key = ANY($1::text[])', [deletes]);
        if (upserts.length > 0) {
          await client.query(
            `INSERT INTO trigger_engine_state (key, value) SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
            [upserts.map(([key]) => key), upserts.map(([, value]) => value)],
          );
        }
        if (batch.newJobs.length > 0) {
          const jobs = batch.newJobs;
          await client.query(
            `INSERT INTO trigger_jobs (id, kind, automation_id, depends_on, due, body)
             SELECT id, kind, a, d, due, body
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) WITH ORDINALITY AS t(id, kind, a, d, due, body, n)
             ORDER BY n
             ON CONFLICT (id) DO NOTHING`,
            [
              jobs.map((j) => j.id),
              jobs.map((j) => j.kind),
              jobs.map((j) => j.automationId),
              jobs.map((j) => j.dependsOn),
              jobs.map((j) => j.due),
              jobs.map((j) => j.body),
            ],
          );
        }
        for (const trace of batch.traces ?? []) {
          if (trace.body === null) await client.query('DELETE FROM trigger_traces WHERE automation_id = $1', [trace.automationId]);
          else
            await client.query(
              'INSERT INTO trigger_traces (automation_id, body) VALUES ($1, $2) ON CONFLICT (automation_id) DO UPDATE SET body = excluded.body',
              [trace.automationId, trace.body],
            );
        }
      },
      { lock: COMMIT_LOCK },
    );
  }

  async due(now: number, limit: number, exclude: ReadonlySet<string> = new Set()): Promise<StoredJob[]> {
    // A consumer that has been fenced out gets nothing: its successor's runner runs the outbox now.
    const { rows } = await this.db.query<StoredJob>(
      `SELECT ${JOB_COLUMNS} FROM trigger_jobs j
       WHERE j.due <= $1 AND NOT (j.id = ANY($3::text[]))
         AND (j.depends_on IS NULL OR NOT EXISTS (SELECT 1 FROM trigger_jobs d WHERE d.id = j.depends_on))
         AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM trigger_checkpoint c WHERE c.id = 1 AND c.fence = $4))
       ORDER BY j.due, j.position LIMIT $2`,
      [now, limit, [...exclude], this.fence],
    );
    return rows;
  }

  async nextDue(): Promise<number | null> {
    const { rows } = await this.db.query<{ due: number | null }>('SELECT min(due) AS due FROM trigger_jobs');
    return rows[0]?.due ?? null;
  }

  async complete(id: string): Promise<void> {
    await this.db.query('DELETE FROM trigger_jobs WHERE id = $1', [id]);
  }

  async completeMany(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.db.query('DELETE FROM trigger_jobs WHERE id = ANY($1::text[])', [ids]);
  }

  async reschedule(id: string, attempts: number, due: number, lastError: string | null): Promise<void> {
    await this.db.query('UPDATE trigger_jobs SET attempts = $1, due = $2, last_error = $3 WHERE id = $4', [attempts, due, lastError, id]);
  }

  async pendingCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::bigint AS n FROM trigger_jobs');
    return rows[0]?.n ?? 0;
  }

  async readTrace(automationId: string): Promise<string | null> {
    const { rows } = await this.db.query<{ body: string }>('SELECT body FROM trigger_traces WHERE automation_id = $1', [automationId]);
    return rows[0]?.body ?? null;
  }

  close(): Promise<void> {
    return this.db.end();
  }
}
