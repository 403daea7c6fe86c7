import type { EventCount } from '@herald/sdk/browser';

/**
 * The server's buckets with live events counted in: each event increments the bucket its `occurred`
 * falls in (bounds inclusive, as count-by returns them). An event after the last bucket opens new
 * buckets of the same width; one before the first is outside the window and is left out.
 *
 * @example
 * addLiveEvents(buckets, ['2026-11-22T21:33:25Z'])
 */
export function addLiveEvents(buckets: EventCount[], occurred: string[]): EventCount[] {
  const last = buckets.at(-1);
  if (!last || occurred.length === 0) return buckets;
  const next = buckets.map((b) => ({ ...b }));
  const width = Date.parse(last.end_time) - Date.parse(last.start_time) + 1;
  for (const iso of occurred) {
    const t = Date.parse(iso);
    if (Number.isNaN(t) || width <= 0) continue;
    let tail = next[next.length - 1]!;
    while (t > Date.parse(tail.end_time)) {
      const start = Date.parse(tail.end_time) + 1;
      const startIso = new Date(start).toISOString();
      tail = { value: startIso, label: startIso, count: 0, start_time: startIso, end_time: new Date(start + width - 1).toISOString() };
      next.push(tail);
    }
    const bucket = findBucket(next, t);
    if (bucket) bucket.count += 1;
  }
  return next;
}

/** Binary search: buckets are sorted and do not overlap. */
function findBucket(buckets: EventCount[], t: number): EventCount | undefined {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = buckets[mid]!;
    if (t < Date.parse(b.start_time)) hi = mid - 1;
    else if (t > Date.parse(b.end_time)) lo = mid + 1;
    else return b;
  }
  return undefined;
}
