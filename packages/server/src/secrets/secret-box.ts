import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeraldError } from '@herald/core';

/** Bytes of an AES-256 key. */
export const SECRET_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1.';

/**
 * Encrypts small secrets at rest (connection and webhook secrets) with AES-256-GCM, a fresh random
 * nonce for every value. `context` (e.g. the id of the record holding the value) is authenticated:
 * a sealed value opens only with the same context, so one row's secret cannot be moved to another.
 */
export interface SecretBox {
  /** `v1.` + base64url(nonce ‖ ciphertext ‖ tag). */
  seal(plain: string, context?: string): string;
  /** The plain text. Throws `CONFIG_INVALID` when the value was sealed with another key or context. */
  open(sealed: string, context?: string): string;
}

/**
 * A secret box over a 32-byte key.
 *
 * @example
 * const box = createSecretBox(randomBytes(32));
 * box.open(box.seal('s3cret', id), id); // 's3cret'
 */
export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== SECRET_KEY_BYTES) throw new TypeError(`the secret key must be ${SECRET_KEY_BYTES} bytes`);
  const secretKey = Buffer.from(key);
  return {
    seal(plain, context = '') {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secretKey, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return VERSION + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(sealed, context = '') {
      const bytes = sealed.startsWith(VERSION) ? Buffer.from(sealed.slice(VERSION.length), 'base64url') : Buffer.alloc(0);
      if (bytes.length < NONCE_BYTES + TAG_BYTES) throw unreadable();
      try {
        const decipher = createDecipheriv('aes-256-gcm', secretKey, bytes.subarray(0, NONCE_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (error) {
        throw unreadable(error);
      }
    },
  };
}

function unreadable(cause?: unknown): HeraldError {
  return new HeraldError('CONFIG_INVALID', {
    message: 'A stored secret could not be decrypted: it was sealed with another key (check HERALD_SECRET_KEY).',
    cause,
  });
}

/**
 * Parses `HERALD_SECRET_KEY`: base64 (or base64url) of exactly 32 bytes. Null when it is not.
 *
 * @example
 * parseSecretKey(randomBytes(32).toString('base64')) // Buffer(32)
 */
export function parseSecretKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed, /[-_]/.test(trimmed) ? 'base64url' : 'base64');
  return key.length === SECRET_KEY_BYTES ? key : null;
}

export interface LoadSecretKeyOptions {
  /** The key from `HERALD_SECRET_KEY`, already parsed; null when unset. */
  configured: Buffer | null;
  /** Where `secret.key` is kept when no key is configured. */
  dataDir: string;
  /** True when storage is shared by replicas (PostgreSQL): a per-machine key file is then a trap. */
  shared: boolean;
  warn(message: string): void;
}

/** The key file inside a data directory. */
export function secretKeyFile(dataDir: string): string {
  return join(dataDir, 'secret.key');
}

/**
 * The key secrets are sealed with: `HERALD_SECRET_KEY` when set, otherwise `<dataDir>/secret.key`,
 * created (mode 0600, base64 of 32 random bytes) on first start. Replicas sharing a PostgreSQL
 * database must share one key, so a warning is logged when they would each use their own file.
 *
 * @example
 * const key = loadSecretKey({ configured: config.secrets.key, dataDir: config.storage.dataDir, shared: false, warn: (m) => logger.warn(m) });
 */
export function loadSecretKey(options: LoadSecretKeyOptions): Buffer {
  if (options.configured) return options.configured;
  const file = secretKeyFile(options.dataDir);
  if (options.shared) {
    options.warn(
      `HERALD_SECRET_KEY is not set: secrets are sealed with the key in ${file}. Every replica sharing this database must use the same key; set HERALD_SECRET_KEY on all of them.`,
    );
  }
  mkdirSync(options.dataDir, { recursive: true });
  // Written aside, then linked into place: link fails if the file exists, so of two processes starting
  // together one creates it and the other reads it, never half-written.
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, randomBytes(SECRET_KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  const key = parseSecretKey(readFileSync(file, 'utf8'));
  if (key === null) {
    throw new HeraldError('CONFIG_INVALID', { message: `${file} does not hold a base64 key of ${SECRET_KEY_BYTES} bytes.` });
  }
  return key;
}
