import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePostgres } from '../storage/postgres/postgres-migrations.js';
import { PostgresDatabase } from '../storage/postgres/postgres-database.js';
import { createTempDir, createTempPostgresDatabase, type TempPostgres } from '../test-support/temp-resources.js';
import { describeEngineStateStoreContract } from './engine-state-store.contract.js';
import { FencedOutError } from './engine-state-store.js';
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

describe('postgres engine state: fencing', () => {
  it('refuses the commits of a store that claimed before another one did, and keeps the newer one’s', async () => {
    const admin = new PostgresDatabase({ url: temp.url, maxConnections: 1 });
    try {
      await admin.query('UPDATE trigger_checkpoint SET seq = 0');
    } finally {
      await admin.end();
    }
    const first = openPostgresEngineStateStore({ url: temp.url });
    const second = openPostgresEngineStateStore({ url: temp.url });
    try {
      await first.claim();
      await first.commit({ state: [{ key: 'fence:1', value: 'first' }], checkpoint: 1, newJobs: [] });
      await second.claim();
      const stale = { state: [{ key: 'fence:1', value: 'stale' }], checkpoint: 99, newJobs: [] };
      await expect(first.commit(stale)).rejects.toBeInstanceOf(FencedOutError);
      const job = { id: 'fence-job', kind: 'action' as const, automationId: 'a', dependsOn: null, due: 1, body: '{}' };
      await second.commit({ state: [{ key: 'fence:2', value: 'second' }], checkpoint: 2, newJobs: [job] });
      // The outbox is the newer consumer's to run: the older one's runner finds nothing due.
      expect((await second.due(10, 10)).map((j) => j.id)).toEqual(['fence-job']);
      expect(await first.due(10, 10)).toEqual([]);
      const snapshot = await second.load();
      expect(snapshot.records.filter((r) => r.key.startsWith('fence:'))).toEqual([
        { key: 'fence:1', value: 'first' },
        { key: 'fence:2', value: 'second' },
      ]);
      // The stale commit's checkpoint (99) never landed.
      expect(snapshot.checkpoint).toBe(2);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
