/**
 * A subset of Python's `humanize` package (the `jinja2-humanize-extension` filters Prefect offers),
 * ported for Herald's templates with the same English output.
 */

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many.replace('%d', String(n)));

/**
 * A duration in seconds as words, like humanize's `naturaldelta` (months on, minimum unit seconds).
 *
 * @example
 * naturalDelta(3600) // 'an hour'
 * naturalDelta(86400 * 45) // 'a month'
 */
export function naturalDelta(seconds: number): string {
  const total = Math.abs(seconds);
  let days = Math.floor(total / 86400);
  const secs = Math.floor(total - days * 86400);
  const years = Math.floor(days / 365);
  days %= 365;
  const months = Math.floor(days / 30.5);
  if (years === 0 && days < 1) {
    if (secs === 0) return 'a moment';
    if (secs === 1) return 'a second';
    if (secs < 60) return `${secs} seconds`;
    if (secs < 120) return 'a minute';
    if (secs < 3600) return `${Math.floor(secs / 60)} minutes`;
    if (secs < 7200) return 'an hour';
    return `${Math.floor(secs / 3600)} hours`;
  }
  if (years === 0) {
    if (days === 1) return 'a day';
    if (months === 0) return `${days} days`;
    return months === 1 ? 'a month' : `${months} months`;
  }
  if (years === 1) {
    if (months === 0 && days === 0) return 'a year';
    if (months === 0) return plural(days, '1 year, 1 day', '1 year, %d days');
    return months === 1 ? '1 year, 1 month' : `1 year, ${months} months`;
  }
  return `${intComma(years)} years`;
}

/**
 * The time between `then` and `now` (both ms since the epoch) as words, like `naturaltime`.
 *
 * @example
 * naturalTime(now - 120_000, now) // '2 minutes ago'
 */
export function naturalTime(then: number, now: number): string {
  const deltaSeconds = (now - then) / 1000;
  const words = naturalDelta(deltaSeconds);
  if (words === 'a moment') return 'now';
  return deltaSeconds < 0 ? `${words} from now` : `${words} ago`;
}

/**
 * Groups the digits of a number with commas, like `intcomma`.
 *
 * @example
 * intComma(1234567.25) // '1,234,567.25'
 */
export function intComma(value: number | string): string {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = ''] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}

const DECIMAL_SUFFIXES = ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_SUFFIXES = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/**
 * A byte count as a readable size, like `naturalsize` (decimal units unless `binary`).
 *
 * @example
 * naturalSize(3_000_000) // '3.0 MB'
 * naturalSize(3000, true) // '2.9 KiB'
 */
export function naturalSize(bytes: number, binary = false): string {
  const base = binary ? 1024 : 1000;
  const abs = Math.abs(bytes);
  if (abs === 1) return `${Math.trunc(bytes)} Byte`;
  if (abs < base) return `${Math.trunc(bytes)} Bytes`;
  const suffixes = binary ? BINARY_SUFFIXES : DECIMAL_SUFFIXES;
  let unit = base;
  let suffix = suffixes[0] ?? '';
  for (let i = 0; i < suffixes.length; i++) {
    unit = base ** (i + 2);
    suffix = suffixes[i] ?? suffix;
    if (abs < unit) break;
  }
  return `${((base * bytes) / unit).toFixed(1)} ${suffix}`;
}

/**
 * An integer with its English ordinal suffix, like `ordinal`.
 *
 * @example
 * ordinal(22) // '22nd'
 */
export function ordinal(value: number): string {
  const n = Math.trunc(value);
  const lastTwo = Math.abs(n) % 100;
  const suffix = lastTwo >= 11 && lastTwo <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][Math.abs(n) % 10] ?? 'th');
  return `${n}${suffix}`;
}

const INT_WORDS: [number, string][] = [
  [1e6, 'million'],
  [1e9, 'billion'],
  [1e12, 'trillion'],
  [1e15, 'quadrillion'],
  [1e18, 'quintillion'],
];

/**
 * A large integer in words, like `intword`.
 *
 * @example
 * intWord(1_200_000_000) // '1.2 billion'
 */
export function intWord(value: number): string {
  const abs = Math.abs(value);
  if (abs < 1e6) return String(value);
  for (let i = INT_WORDS.length - 1; i >= 0; i--) {
    const [power, name] = INT_WORDS[i] ?? [1, ''];
    if (abs < power) continue;
    const rounded = (value / power).toFixed(1);
    const next = INT_WORDS[i + 1];
    if (Math.abs(Number(rounded)) >= 1000 && next !== undefined) return `${(value / next[0]).toFixed(1)} ${next[1]}`;
    return `${rounded} ${name}`;
  }
  return String(value);
}

const AP_NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * Spells out 0–9 (Associated Press style), like `apnumber`; other numbers are returned as digits.
 *
 * @example
 * apNumber(4) // 'four'
 */
export function apNumber(value: number): string {
  return Number.isInteger(value) && value >= 0 && value < 10 ? (AP_NUMBERS[value] ?? String(value)) : String(value);
}
