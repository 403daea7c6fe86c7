import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { createTempDir, type TempDir } from '../test-support/temp-resources.js';
import { createSecretBox, loadSecretKey, parseSecretKey, secretKeyFile } from './secret-box.js';

describe('createSecretBox', () => {
  const box = createSecretBox(randomBytes(32));

  it('opens what it sealed, and seals the same text differently each time', () => {
    const a = box.seal('https://hooks.slack.com/services/T0/B0/xyz', 'id-1');
    const b = box.seal('https://hooks.slack.com/services/T0/B0/xyz', 'id-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('slack');
    expect(a.startsWith('v1.')).toBe(true);
    expect(box.open(a, 'id-1')).toBe('https://hooks.slack.com/services/T0/B0/xyz');
    expect(box.open(box.seal('é ✓ {}'), undefined)).toBe('é ✓ {}');
  });

  it('refuses another context, another key and tampered values', () => {
    const sealed = box.seal('secret', 'id-1');
    expect(() => box.open(sealed, 'id-2')).toThrow(/sealed with another key/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'id-1')).toThrow(/sealed with another key/);
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[14] = bytes[14]! ^ 1;
    expect(() => box.open('v1.' + bytes.toString('base64url'), 'id-1')).toThrow(/sealed with another key/);
    expect(() => box.open('plain text', 'id-1')).toThrow(/sealed with another key/);
  });

  it('needs a 32-byte key', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('parseSecretKey', () => {
  it('accepts base64 and base64url of 32 bytes only', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url') + '\n')).toEqual(key);
    expect(parseSecretKey(randomBytes(31).toString('base64'))).toBeNull();
    expect(parseSecretKey('not a key!')).toBeNull();
    expect(parseSecretKey('')).toBeNull();
  });
});

describe('loadSecretKey', () => {
  let dir: TempDir;
  afterEach(() => dir?.remove());

  it('prefers the configured key and writes no file', () => {
    dir = createTempDir('herald-secret-');
    const key = randomBytes(32);
    const warnings: string[] = [];
    expect(loadSecretKey({ configured: key, dataDir: dir.path, shared: true, warn: (m) => warnings.push(m) })).toEqual(key);
    expect(() => statSync(secretKeyFile(dir.path))).toThrow();
    expect(warnings).toEqual([]);
  });

  it('creates secret.key with mode 0600 on first start and reuses it', () => {
    dir = createTempDir('herald-secret-');
    const dataDir = join(dir.path, 'nested');
    const first = loadSecretKey({ configured: null, dataDir, shared: false, warn: () => {} });
    expect(first.length).toBe(32);
    expect(statSync(secretKeyFile(dataDir)).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ configured: null, dataDir, shared: false, warn: () => {} })).toEqual(first);
    expect(parseSecretKey(readFileSync(secretKeyFile(dataDir), 'utf8'))).toEqual(first);
  });

  it('warns when replicas sharing PostgreSQL would each use their own key file', () => {
    dir = createTempDir('herald-secret-');
    const warnings: string[] = [];
    loadSecretKey({ configured: null, dataDir: dir.path, shared: true, warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/HERALD_SECRET_KEY/);
  });

  it('refuses a key file that holds no key', () => {
    dir = createTempDir('herald-secret-');
    writeFileSync(secretKeyFile(dir.path), 'garbage\n');
    expect(() => loadSecretKey({ configured: null, dataDir: dir.path, shared: false, warn: () => {} })).toThrow(/does not hold/);
  });
});

describe('HERALD_SECRET_KEY', () => {
  it('is parsed by the configuration, and refused without quoting it when it is not 32 bytes', () => {
    const key = randomBytes(32);
    expect(loadConfig({}, { HERALD_SECRET_KEY: key.toString('base64') }).secrets.key).toEqual(key);
    expect(loadConfig({}, {}).secrets.key).toBeNull();
    const short = randomBytes(16).toString('base64');
    let message = '';
    try {
      loadConfig({}, { HERALD_SECRET_KEY: short });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/HERALD_SECRET_KEY must be the base64 of 32 bytes/);
    expect(message).not.toContain(short);
  });
});
