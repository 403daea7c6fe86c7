/**
 * Datetimes travel as ISO-8601 strings and are handled internally as integer microseconds since the
 * Unix epoch (UTC). Output follows pydantic v2: `Z` for UTC, and a fraction only when non-zero, always
 * with six digits.
 */

const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const MICROS_PER_MS = 1000;

// Events of one batch mostly share their second. The last parsed `YYYY-MM-DDTHH:MM:SS` is kept with
// its epoch ms, so a text with that prefix and a UTC tail (`Z`, a fraction, or no offset) skips the
// full pattern and the Date checks.
let lastSecondText = '';
let lastSecondMs = 0;
const UTC_TAIL = /^(?:[.,](\d+))?\s*[Zz]?$/;

/**
 * Parses an ISO-8601 date-time into microseconds since the epoch. A value without an offset is UTC.
 * Returns `null` when the text is not a valid date-time.
 *
 * @example
 * parseDateTime('2024-04-01T00:00:00.5Z') // 1711929600500000
 */
export function parseDateTime(text: string): number | null {
  if (text.length > 64) return null;
  if (lastSecondText !== '' && text.startsWith(lastSecondText)) {
    const tail = UTC_TAIL.exec(text.slice(19));
    if (tail) return lastSecondMs * MICROS_PER_MS + fractionMicros(tail[1] ?? '');
  }
  const m = ISO_PATTERN.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', tz] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear restores the literal year.
  check.setUTCFullYear(year);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  let offsetMinutes = 0;
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  if (m[6] !== undefined) {
    lastSecondText = text.slice(0, 19);
    lastSecondMs = check.getTime();
  }
  return (check.getTime() - offsetMinutes * 60_000) * MICROS_PER_MS + fractionMicros(frac);
}

function fractionMicros(digits: string): number {
  return Number((digits + '000000').slice(0, 6));
}

function splitMicros(us: number): { ms: number; micros: number } {
  const ms = Math.floor(us / MICROS_PER_MS);
  return { ms, micros: us - ms * MICROS_PER_MS };
}

// Events of one batch mostly share their second: the last second's text is kept, which spares a Date
// and a toISOString per formatted time on the ingest path.
let cachedSecond = NaN;
let cachedBase = '';

function isoSeconds(us: number): { base: string; fraction: number } {
  const { ms, micros } = splitMicros(us);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z (or ±YYYYYY for far years)
    cachedBase = iso.slice(0, iso.lastIndexOf('.'));
    cachedSecond = second;
  }
  return { base: cachedBase, fraction: (ms - second * 1000) * 1000 + micros };
}

/**
 * Formats microseconds since the epoch as pydantic does: `2024-04-01T01:02:03.400000Z`.
 *
 * @example
 * formatDateTime(1711929600000000) // '2024-04-01T00:00:00Z'
 */
export function formatDateTime(us: number): string {
  const { base, fraction } = isoSeconds(us);
  return fraction === 0 ? base + 'Z' : `${base}.${String(fraction).padStart(6, '0')}Z`;
}

/** Formats like Python's `isoformat()` in UTC, as count-by labels do: `2024-05-06T00:00:00+00:00`. */
export function formatIsoLabel(us: number): string {
  const { base, fraction } = isoSeconds(us);
  return fraction === 0 ? base + '+00:00' : `${base}.${String(fraction).padStart(6, '0')}+00:00`;
}

/** Microseconds since the epoch for a JavaScript Date or epoch milliseconds. */
export function toMicros(date: Date | number): number {
  return (typeof date === 'number' ? date : date.getTime()) * MICROS_PER_MS;
}

export const MICROS = {
  second: 1_000_000,
  minute: 60_000_000,
  hour: 3_600_000_000,
  day: 86_400_000_000,
  week: 604_800_000_000,
} as const;
