/**
 * Durations on the wire (spec §1.1): a number of seconds, an ISO-8601 duration (`PT10S`, `P1DT2H`) or
 * a clock form `HH:MM:SS[.ffffff]` with an optional `N day(s), ` prefix (Python's `str(timedelta)`).
 * Values are kept in float seconds with microsecond precision, like Python's `timedelta`.
 */

export type DurationParse = { ok: true; seconds: number } | { ok: false; type: string; message: string };

const NUMBER = '(\\d+(?:[.,]\\d+)?)';
const ISO_PATTERN = new RegExp(
  `^([-+])?P(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`,
  'i',
);
const CLOCK_PATTERN = /^([-+])?(?:(\d+)\s*days?,?\s*)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d{1,6})?)$/;

/** Seconds per ISO unit; a year is 365 days and a month 30 days (as pydantic's parser counts them). */
const ISO_UNITS = [365 * 86_400, 30 * 86_400, 7 * 86_400, 86_400, 3_600, 60, 1] as const;
const INVALID = 'Input should be a valid timedelta';

/** Rounds to whole microseconds, the precision of a Python timedelta. */
export function roundToMicros(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/**
 * Parses a duration. The sign is kept: range rules (≥ 0, ≥ 10 s) belong to the caller. `null`, booleans
 * and other types are refused with pydantic's message.
 *
 * @example
 * parseDuration('PT1M30S') // { ok: true, seconds: 90 }
 * parseDuration('01:00:00') // { ok: true, seconds: 3600 }
 * parseDuration(null) // { ok: false, type: 'time_delta_type', message: 'Input should be a valid timedelta' }
 */
export function parseDuration(input: unknown): DurationParse {
  if (typeof input === 'number') {
    return Number.isFinite(input) ? { ok: true, seconds: roundToMicros(input) } : { ok: false, type: 'time_delta_parsing', message: `${INVALID}, the value is not finite` };
  }
  if (typeof input !== 'string') return { ok: false, type: 'time_delta_type', message: INVALID };
  const text = input.trim();
  const iso = ISO_PATTERN.exec(text);
  if (iso && /\d/.test(text) && !/T$/i.test(text)) {
    const [, sign, ...parts] = iso;
    let seconds = 0;
    parts.forEach((part, index) => {
      if (part !== undefined) seconds += Number(part.replace(',', '.')) * ISO_UNITS[index]!;
    });
    return { ok: true, seconds: roundToMicros(sign === '-' ? -seconds : seconds) };
  }
  const clock = CLOCK_PATTERN.exec(text);
  if (clock) {
    const [, sign, days = '0', hours, minutes, secs] = clock;
    if (Number(minutes) > 59 || Number(secs) >= 60) return { ok: false, type: 'time_delta_parsing', message: `${INVALID}, minutes and seconds must be below 60` };
    const seconds = Number(days) * 86_400 + Number(hours) * 3_600 + Number(minutes) * 60 + Number(secs);
    return { ok: true, seconds: roundToMicros(sign === '-' ? -seconds : seconds) };
  }
  return { ok: false, type: 'time_delta_parsing', message: `${INVALID}, expected seconds, an ISO-8601 duration such as "PT10S" or "HH:MM:SS"` };
}

/**
 * Formats seconds as an ISO-8601 duration that {@link parseDuration} reads back exactly.
 *
 * @example
 * formatIsoDuration(93784.5) // 'P1DT2H3M4.5S'
 * formatIsoDuration(0) // 'PT0S'
 */
export function formatIsoDuration(seconds: number): string {
  let micros = Math.round(Math.abs(seconds) * 1e6);
  const sign = seconds < 0 && micros > 0 ? '-' : '';
  const days = Math.floor(micros / 86_400e6);
  micros -= days * 86_400e6;
  const hours = Math.floor(micros / 3_600e6);
  micros -= hours * 3_600e6;
  const minutes = Math.floor(micros / 60e6);
  micros -= minutes * 60e6;
  const secs = micros / 1e6;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${secs ? `${secs}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `${sign}P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/**
 * A short human form for tables and logs: `10s`, `5m`, `1h30m`, `2d`.
 *
 * @example
 * formatShortDuration(5400) // '1h30m'
 */
export function formatShortDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest = roundToMicros(rest - count * size);
  }
  if (rest > 0) parts.push(`${rest}s`);
  return sign + parts.join('');
}
