import { exactTime, relativeTime } from '../lib/format.js';

/** "3 min ago", with the exact time (local and UTC) on hover. */
export function RelativeTime({ iso, nowMs }: { iso: string; nowMs: number }) {
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {relativeTime(Date.parse(iso), nowMs)}
    </time>
  );
}
