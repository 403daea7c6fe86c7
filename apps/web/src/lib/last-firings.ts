import type { EventFilterInput, ReceivedEvent } from '@herald/sdk/browser';

/** How far back the automation list looks for a firing. */
export const LAST_FIRING_LOOKBACK_DAYS = 365;

const PREFIX = 'herald.automation.';

/**
 * One query for the last firing of every listed automation: the newest `herald.automation.triggered`
 * event per automation resource (`resource.distinct`), instead of one trace request per automation.
 *
 * @example
 * const page = await client.queryPage(lastFiringsFilter(ids, Date.now()), { limit: ids.length });
 */
export function lastFiringsFilter(automationIds: string[], nowMs: number): EventFilterInput {
  return {
    occurred: { since: new Date(nowMs - LAST_FIRING_LOOKBACK_DAYS * 86_400_000).toISOString(), until: new Date(nowMs).toISOString() },
    event: { name: ['herald.automation.triggered'] },
    resource: { id: automationIds.map((id) => `${PREFIX}${id}`), distinct: true },
  };
}

/**
 * The newest firing time per automation id, from `herald.automation.triggered` events in any order.
 *
 * @example
 * lastFiringByAutomation(page.events).get(automation.id) // '2026-11-22T21:33:25.427000Z' or undefined
 */
export function lastFiringByAutomation(events: ReceivedEvent[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const event of events) {
    const resourceId = event.resource['prefect.resource.id'];
    if (event.event !== 'herald.automation.triggered' || !resourceId?.startsWith(PREFIX)) continue;
    const id = resourceId.slice(PREFIX.length);
    const seen = last.get(id);
    if (seen === undefined || Date.parse(event.occurred) > Date.parse(seen)) last.set(id, event.occurred);
  }
  return last;
}
