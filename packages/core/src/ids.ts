import { v7 } from 'uuid';

const UUID_PATTERN = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for any UUID version, with or without hyphens, any case (as pydantic accepts). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/**
 * Canonical lower-case hyphenated form of a UUID accepted by {@link isUuid}.
 *
 * @example
 * normalizeUuid('0F6F2D3E1D7B4A5E9A632B8F7C1E9A10') // '0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10'
 */
export function normalizeUuid(value: string): string {
  // What clients send, and every id already stored: returned as is, without building a new string.
  if (CANONICAL_UUID.test(value)) return value;
  const hex = value.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A new time-ordered UUIDv7, as Herald's SDK uses for event ids.
 *
 * @example
 * const id = newEventId(); // '0193a5c2-...'
 */
export function newEventId(): string {
  return v7();
}
