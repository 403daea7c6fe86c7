import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import { sqliteDatabaseFile } from './open-sqlite-storage.js';
import { openSqliteConnection, WRITER_PRAGMAS } from './sqlite-connection.js';
import { migrateSqlite } from './sqlite-migrations.js';
import { SqliteReader } from './sqlite-reader.js';

describe('SqliteReader', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = createTempDir('herald-sqlite-reader-');
  });
  afterEach(() => dir.remove());

  it('plans with the statistics another connection has written once refreshed', () => {
    const file = sqliteDatabaseFile(dir.path);
    const writer = openSqliteConnection(file, WRITER_PRAGMAS);
    migrateSqlite(writer);
    const insert = writer.prepare('INSERT INTO events (seq, id, occurred, received, event, resource_id, json) VALUES (?, randomblob(16), ?, 0, ?, ?, ?)');
    writer.transaction(() => {
      for (let seq = 1; seq <= 3000; seq++) insert.run(seq, seq, `acme.event.${seq % 5}`, `acme.thing.${seq}`, '{}');
    })();
    const reader = new SqliteReader(file);
    const plan = () =>
      (reader.prepare('EXPLAIN QUERY PLAN SELECT e.event, count(*) FROM events e WHERE e.occurred >= ? AND e.occurred <= ? GROUP BY e.event').all(0, 5000) as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ');
    try {
      expect(plan()).toMatch(/USING COVERING INDEX events__occurred/);
      writer.exec('ANALYZE');
      expect(plan()).toMatch(/USING COVERING INDEX events__occurred/);
      reader.refresh();
      expect(plan()).toMatch(/USING COVERING INDEX events__event_occurred/);
      expect(() => reader.prepare('DELETE FROM events').run()).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
    } finally {
      reader.close();
      writer.close();
    }
  });
});
