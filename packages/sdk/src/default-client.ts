import type { EmitReceipt } from './event-sender.js';
import { createHeraldClient, type HeraldClient } from './herald-client.js';
import type { EmitEventInput } from './prepare-event.js';

let defaultClient: HeraldClient | undefined;

/**
 * The process-wide client behind the module-level {@link emitEvent}, created on first use from
 * `HERALD_URL` and `HERALD_API_KEY`. It flushes on `beforeExit`; call `await getDefaultClient().close()`
 * before a `process.exit()`.
 *
 * @example
 * await getDefaultClient().flush();
 */
export function getDefaultClient(): HeraldClient {
  defaultClient ??= createHeraldClient();
  return defaultClient;
}

/**
 * Emits an event with the default client: the shortest way to send one. Same contract as
 * `HeraldClient.emitEvent`, including safe fire-and-forget.
 *
 * @example
 * import { emitEvent } from '@herald/sdk';
 *
 * emitEvent({ event: 'acme.backup.finished', resource: { 'prefect.resource.id': 'acme.db.main' } });
 */
export function emitEvent(input: EmitEventInput): Promise<EmitReceipt> {
  return getDefaultClient().emitEvent(input);
}
