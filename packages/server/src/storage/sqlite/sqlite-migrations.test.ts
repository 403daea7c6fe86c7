import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import { openSqliteStorage, sqliteDatabaseFile } from './open-sqlite-storage.js';
import { migrateSqlite, SQLITE_MIGRATIONS } from './sqlite-migrations.js';

describe('migrateSqlite', () => {
  let dir: TempDir;
  let db: Database.Database;
  beforeEach(() => {
    dir = createTempDir('herald-sqlite-migrations-');
    db = new Database(sqliteDatabaseFile(dir.path));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  const versions = () => db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
  const known = SQLITE_MIGRATIONS.map((m) => m.version);
  const latest = known.at(-1)!;

  it('creates the schema once and records each version', () => {
    expect(migrateSqlite(db)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(migrateSqlite(db)).toEqual([]);
    expect(versions()).toEqual(known);
    const objects = db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name").pluck().all();
    expect(objects).toEqual([
      'api_keys',
      'automation_relations',
      'automations',
      'connections',
      'event_day_counts',
      'event_minute_counts',
      'event_resource_rows',
      'event_resources',
      'events',
      'log_position',
      'resource_keys',
      'schema_migrations',
      'webhook_requests',
      'webhooks',
    ]);
  });

  it('applies only the migrations a database lacks, in version order', () => {
    migrateSqlite(db);
    const later = [
      { version: latest + 2, name: 'second', sql: 'CREATE TABLE t2 (x INTEGER REFERENCES t1(x))' },
      { version: latest + 1, name: 'first', sql: 'CREATE TABLE t1 (x INTEGER PRIMARY KEY)' },
    ];
    expect(migrateSqlite(db, [...SQLITE_MIGRATIONS, ...later])).toEqual([latest + 1, latest + 2]);
    expect(migrateSqlite(db, [...SQLITE_MIGRATIONS, ...later])).toEqual([]);
    expect(versions()).toEqual([...known, latest + 1, latest + 2]);
  });

  it('rolls a failing migration back whole and does not record it', () => {
    migrateSqlite(db);
    const broken = { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); CREATE TABLE events (x INTEGER);' };
    expect(() => migrateSqlite(db, [...SQLITE_MIGRATIONS, broken])).toThrow();
    expect(versions()).toEqual(known);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()).toBe(0);
  });

  it('refuses a database migrated by a newer Herald', async () => {
    migrateSqlite(db);
    db.prepare("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')").run();
    expect(() => migrateSqlite(db)).toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE' }));
    await expect(openSqliteStorage({ dataDir: dir.path })).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', details: { schemaVersion: 99 } });
  });
});
