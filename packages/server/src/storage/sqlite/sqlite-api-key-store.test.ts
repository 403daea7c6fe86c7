import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, type TempDir } from '../../test-support/temp-resources.js';
import type { ApiKeyRecord, Storage } from '../ports.js';
import { openSqliteStorage } from './open-sqlite-storage.js';

const key = (n: number, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id: `key-${n}`,
  name: `key ${n}`,
  prefix: `hk_${n}`,
  hash: n.toString(16).padStart(64, '0'),
  created: `2026-03-0${n}T00:00:00.000Z`,
  lastUsed: null,
  revoked: null,
  ...overrides,
});

describe('SqliteApiKeyStore', () => {
  let dir: TempDir;
  let storage: Storage;
  beforeAll(async () => {
    dir = createTempDir('herald-sqlite-keys-');
    storage = await openSqliteStorage({ dataDir: dir.path });
  });
  afterAll(async () => {
    await storage.close();
    dir.remove();
  });

  it('stores keys and finds them by hash', async () => {
    await storage.keys.insertKey(key(2));
    await storage.keys.insertKey(key(1, { lastUsed: '2026-03-05T00:00:00.000Z' }));
    expect(await storage.keys.listKeys()).toEqual([key(1, { lastUsed: '2026-03-05T00:00:00.000Z' }), key(2)]);
    expect(await storage.keys.findKeyByHash(key(2).hash)).toEqual(key(2));
    expect(await storage.keys.findKeyByHash('f'.repeat(64))).toBeNull();
  });

  it('refuses a second key with the same hash', async () => {
    await expect(storage.keys.insertKey(key(3, { hash: key(2).hash }))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });

  it('revokes an active key once and records when a key was last used', async () => {
    expect(await storage.keys.revokeKey('key-2', '2026-03-06T00:00:00.000Z')).toBe(true);
    expect(await storage.keys.revokeKey('key-2', '2026-03-07T00:00:00.000Z')).toBe(false);
    expect(await storage.keys.revokeKey('key-404', '2026-03-07T00:00:00.000Z')).toBe(false);
    await storage.keys.touchKey('key-2', '2026-03-08T00:00:00.000Z');
    expect(await storage.keys.findKeyByHash(key(2).hash)).toEqual(key(2, { revoked: '2026-03-06T00:00:00.000Z', lastUsed: '2026-03-08T00:00:00.000Z' }));
  });
});
