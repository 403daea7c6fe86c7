import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openSqliteConnection } from '../storage/sqlite/sqlite-connection.js';
import { migrateSqlite, type SqliteMigration } from '../storage/sqlite/sqlite-migrations.js';
import type { EngineCommit, EngineSnapshot, EngineStateStore, StoredJob } from './engine-state-store.js';
import { EngineStateWriter } from './engine-state-writer.js';

/**
 * The schema of `automation-state.db`. It is a file of its own, so that engine commits (on the main
 * thread) never wait for, or hold up, the event writer thread of `herald.db`.
 */
export const ENGINE_STATE_SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'trigger engine state, checkpoint, job outbox, traces',
    sql: `
      CREATE TABLE trigger_engine_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE trigger_checkpoint (
        id  INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL
      );
      INSERT INTO trigger_checkpoint (id, seq) VALUES (1, 0);
      CREATE TABLE trigger_jobs (
        position      INTEGER PRIMARY KEY,
        id            TEXT    NOT NULL UNIQUE,
        kind          TEXT    NOT NULL,
        automation_id TEXT    NOT NULL,
        depends_on    TEXT,
        due           INTEGER NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        body          TEXT    NOT NULL
      );
      CREATE INDEX trigger_jobs__due ON trigger_jobs(due, position);
      CREATE TABLE trigger_traces (
        automation_id TEXT PRIMARY KEY,
        body          TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/** The engine state file inside a data directory. */
export function engineStateDatabaseFile(dataDir: string): string {
  return join(dataDir, 'automation-state.db');
}

// Durable on return (synchronous = FULL); the file is small, so the default cache is plenty.
const WRITER_PRAGMAS = ['synchronous = FULL', 'busy_timeout = 5000', 'temp_store = MEMORY'];
const READER_PRAGMAS = ['busy_timeout = 5000', 'query_only = true'];

interface JobRow {
  id: string;
  kind: StoredJob['kind'];
  automationId: string;
  dependsOn: string | null;
  due: number;
  attempts: number;
  lastError: string | null;
  body: string;
}

const JOB_COLUMNS =
  'j.id, j.kind, j.automation_id AS automationId, j.depends_on AS dependsOn, j.due, j.attempts, j.last_error AS lastError, j.body';

/**
 * The SQLite engine state store: writes go to a worker thread (`engine-state-writer.ts`), so that their
 * fsyncs never stall the event loop, and reads run on a connection of the main thread (WAL: readers
 * see every committed write and never wait for the writer).
 *
 * @example
 * const store = await openSqliteEngineStateStore({ dataDir: '/var/lib/herald' });
 * await store.commit({ state: [], checkpoint: 10, newJobs: [] });
 */
export async function openSqliteEngineStateStore(options: { dataDir: string }): Promise<EngineStateStore> {
  mkdirSync(options.dataDir, { recursive: true });
  const file = engineStateDatabaseFile(options.dataDir);
  const setup = openSqliteConnection(file, WRITER_PRAGMAS);
  try {
    migrateSqlite(setup, ENGINE_STATE_SQLITE_MIGRATIONS);
  } finally {
    setup.close();
  }
  const reader = openSqliteConnection(file, READER_PRAGMAS);
  try {
    return new SqliteEngineStateStore(reader, await EngineStateWriter.start(file, WRITER_PRAGMAS));
  } catch (error) {
    reader.close();
    throw error;
  }
}

class SqliteEngineStateStore implements EngineStateStore {
  readonly dialect = 'sqlite' as const;
  private readonly dueJobs: Database.Statement<[number, number]>;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly writer: EngineStateWriter,
  ) {
    this.dueJobs = db.prepare(
      `SELECT ${JOB_COLUMNS} FROM trigger_jobs j
       WHERE j.due <= ? AND (j.depends_on IS NULL OR NOT EXISTS (SELECT 1 FROM trigger_jobs d WHERE d.id = j.depends_on))
       ORDER BY j.due, j.position LIMIT ?`,
    );
  }

  async claim(): Promise<void> {}

  async load(): Promise<EngineSnapshot> {
    const records = this.db.prepare('SELECT key, value FROM trigger_engine_state ORDER BY key').all() as { key: string; value: string }[];
    const checkpoint = this.db.prepare('SELECT seq FROM trigger_checkpoint WHERE id = 1').pluck().get() as number;
    const traces = this.db.prepare('SELECT automation_id AS automationId, body FROM trigger_traces').all() as {
      automationId: string;
      body: string;
    }[];
    return { records, checkpoint, traces };
  }

  commit(batch: EngineCommit): Promise<void> {
    return this.writer.commit(batch);
  }

  async due(now: number, limit: number, exclude: ReadonlySet<string> = new Set()): Promise<StoredJob[]> {
    const rows = this.dueJobs.all(now, limit + exclude.size) as JobRow[];
    return rows.filter((row) => !exclude.has(row.id)).slice(0, limit);
  }

  async nextDue(): Promise<number | null> {
    return (this.db.prepare('SELECT min(due) FROM trigger_jobs').pluck().get() as number | null) ?? null;
  }

  complete(id: string): Promise<void> {
    return this.writer.complete([id]);
  }

  async completeMany(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.writer.complete(ids);
  }

  reschedule(id: string, attempts: number, due: number, lastError: string | null): Promise<void> {
    return this.writer.reschedule(id, attempts, due, lastError);
  }

  async pendingCount(): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM trigger_jobs').pluck().get() as number;
  }

  async readTrace(automationId: string): Promise<string | null> {
    return (this.db.prepare('SELECT body FROM trigger_traces WHERE automation_id = ?').pluck().get(automationId) as string | undefined) ?? null;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      try {
        await this.writer.close();
      } finally {
        this.db.close();
      }
    })();
    return this.closed;
  }
}
