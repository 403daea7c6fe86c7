import type { RelatedResource, Resource } from '@herald/sdk/browser';

/**
 * A readable title for an event name: the `prefect.`/`prefect-cloud.` namespace dropped, words split
 * on `.`, `_` and `-`, and capitalised.
 *
 * @example
 * humanizeEventName('prefect.flow-run.Completed') // 'Flow Run Completed'
 */
export function humanizeEventName(name: string): string {
  return name
    .replace(/^prefect(-cloud)?\./, '')
    .split(/[._-]+/)
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** A resource's display name: its name label if it has one, else its id. */
export function resourceName(resource: Resource | RelatedResource): string {
  return resource['prefect.resource.name'] ?? resource['prefect.name'] ?? resource['prefect-cloud.name'] ?? resource['prefect.resource.id'] ?? '';
}

/** Labels worth showing as chips: everything but the id, role and name. */
export function displayLabels(resource: Resource | RelatedResource): [string, string][] {
  const hidden = new Set(['prefect.resource.id', 'prefect.resource.role', 'prefect.resource.name']);
  return Object.entries(resource).filter(([key]) => !hidden.has(key));
}

/**
 * "3 min ago" style time, relative to `nowMs`.
 *
 * @example
 * relativeTime(Date.now() - 90_000, Date.now()) // '1 min ago'
 */
export function relativeTime(thenMs: number, nowMs: number): string {
  const seconds = Math.round((nowMs - thenMs) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  let text: string;
  if (s < 5) return 'just now';
  else if (s < 60) text = `${s} s`;
  else if (s < 3_600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86_400) text = `${Math.floor(s / 3_600)} h`;
  else text = `${Math.floor(s / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** The exact time, local and UTC, for a tooltip. */
export function exactTime(iso: string): string {
  const date = new Date(iso);
  return `${date.toLocaleString()} (local)\n${iso} (UTC, as stored)`;
}
