import { createTempPostgresDatabase } from '../../test-support/temp-resources.js';
import { describeAutomationStoreContract } from '../automation-store.contract.js';
import { openPostgresStorage } from './open-postgres-storage.js';

// Each test gets its own new database, so every `open()` starts empty, as the contract requires.
describeAutomationStoreContract('postgres', async () => {
  const temp = await createTempPostgresDatabase('herald_automations');
  const storage = await openPostgresStorage({ url: temp.url, maxConnections: 2 });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await temp.drop();
    },
  };
});
