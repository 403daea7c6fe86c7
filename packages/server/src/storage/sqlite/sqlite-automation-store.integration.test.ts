import { createTempDir } from '../../test-support/temp-resources.js';
import { describeAutomationStoreContract } from '../automation-store.contract.js';
import { openSqliteStorage } from './open-sqlite-storage.js';

describeAutomationStoreContract('sqlite', async () => {
  const dir = createTempDir('herald-sqlite-automations-');
  const storage = await openSqliteStorage({ dataDir: dir.path });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      dir.remove();
    },
  };
});
