/**
 * SQLite stores event ids as 16-byte BLOBs (half the index size of the text form).
 *
 * @example
 * uuidToBlob('0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10').length // 16
 */
export function uuidToBlob(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/**
 * The canonical lower-case hyphenated UUID of a 16-byte BLOB.
 *
 * @example
 * blobToUuid(uuidToBlob('0F6F2D3E-1D7B-4A5E-9A63-2B8F7C1E9A10')) // '0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10'
 */
export function blobToUuid(blob: Uint8Array): string {
  const hex = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
