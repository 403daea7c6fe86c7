export { openPostgresStorage, type PostgresStorageOptions } from './open-postgres-storage.js';
export { PostgresEventStore } from './postgres-event-store.js';
export { POSTGRES_MIGRATIONS, migratePostgres } from './postgres-migrations.js';
