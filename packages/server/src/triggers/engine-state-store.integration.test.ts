import { afterAll, beforeAll } from 'vitest';
import { migratePostgres } from '../storage/postgres/postgres-migrations.js';
import { PostgresDatabase } from '../storage/postgres/postgres-database.js';
import { createTempDir, createTempPostgresDatabase, type TempPostgres } from '../test-support/temp-resources.js';
import { describeEngineStateStoreContract } from './engine-state-store.contract.js';
import { openPostgresEngineStateStore } from './postgres-engine-state-store.js';
import { openSqliteEngineStateStore } from './sqlite-engine-state-store.js';

describeEngineStateStoreContract('sqlite', async () => {
  const dir = createTempDir();
  return {
    store: await openSqliteEngineStateStore({ dataDir: dir.path }),
    reopen: () => openSqliteEngineStateStore({ dataDir: dir.path }),
    cleanup: async () => dir.remove(),
  };
});

let temp: TempPostgres;
beforeAll(async () => {
  temp = await createTempPostgresDatabase();
  const db = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
  try {
    await migratePostgres(db);
  } finally {
    await db.end();
  }
});
afterAll(async () => {
  await temp.drop();
});

describeEngineStateStoreContract('postgres', async () => {
  const admin = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
  try {
    await admin.query('TRUNCATE trigger_engine_state, trigger_jobs, trigger_traces');
    await admin.query('UPDATE trigger_checkpoint SET seq = 0');
  } finally {
    await admin.end();
  }
  return {
    store: openPostgresEngineStateStore({ url: temp.url }),
    reopen: async () => openPostgresEngineStateStore({ url: temp.url }),
    cleanup: async () => {},
  };
});
