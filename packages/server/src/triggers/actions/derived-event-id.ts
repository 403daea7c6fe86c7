import { createHash } from 'node:crypto';

// A fixed namespace so that ids derived here never collide with UUIDv5s of other namespaces.
const NAMESPACE = Buffer.from('6c1f7a52b1d24c0e9f3a8e5d2b7c4a10', 'hex');

/**
 * A UUID (version 5 layout) derived from a job id and a purpose. Re-running a job after a crash
 * derives the same ids, so the store's first-write-wins dedup absorbs the repeat.
 *
 * @example
 * derivedEventId('0193…', 'emit-event') === derivedEventId('0193…', 'emit-event') // true
 */
export function derivedEventId(jobId: string, purpose: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${jobId}\u0000${purpose}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
