import { createTempPostgresDatabase } from '../../test-support/temp-resources.js';
import { describeEventStoreContract } from '../event-store.contract.js';
import { openPostgresStorage } from './open-postgres-storage.js';

// Each store gets its own new database, so every `open()` starts empty, as the contract requires.
describeEventStoreContract('postgres', async () => {
  const temp = await createTempPostgresDatabase('herald_contract');
  const storage = await openPostgresStorage({ url: temp.url });
  return {
    store: storage.events,
    cleanup: async () => {
      await storage.close();
      await temp.drop();
    },
  };
});
