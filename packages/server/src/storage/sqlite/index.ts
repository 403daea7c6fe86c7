export { openSqliteStorage, sqliteDatabaseFile, type SqliteStorageOptions } from './open-sqlite-storage.js';
export { SqliteEventStore } from './sqlite-event-store.js';
export { SQLITE_MIGRATIONS, migrateSqlite } from './sqlite-migrations.js';
