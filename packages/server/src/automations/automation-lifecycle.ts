import { formatDateTime, newEventId, serializeAutomation, type Automation, type Event, type RelatedResource } from '@herald/core';
import type { IngestService } from '../ingestion/ingest-service.js';

/** The part of ingest lifecycle events need. */
export type LifecycleIngest = Pick<IngestService, 'ingestBatch'>;

/** The part of a pino logger the automations service uses. */
export interface LifecycleLogger {
  warn(object: object, message: string): void;
}

export type LifecycleKind = 'created' | 'updated' | 'deleted';

/**
 * The lifecycle event of an automation (spec §1.6 with DECISIONS 20): `herald.automation.<kind>` about
 * `herald.automation.<id>`, named after the automation, with the automation's JSON as payload.
 *
 * @example
 * automationLifecycleEvent('created', automation, [], '2026-01-01T00:00:00Z', id)
 * // { event: 'herald.automation.created', resource: { 'prefect.resource.id': 'herald.automation.…', … }, payload: { id, … } }
 */
export function automationLifecycleEvent(
  kind: LifecycleKind,
  automation: Automation,
  related: RelatedResource[],
  occurred: string,
  id: string,
): Event {
  return {
    occurred,
    event: `herald.automation.${kind}`,
    resource: { 'prefect.resource.id': `herald.automation.${automation.id}`, 'prefect.resource.name': automation.name },
    related,
    payload: serializeAutomation(automation),
    id,
    follows: null,
  };
}

/**
 * Emits lifecycle events through ingest once the write is committed. A failure to emit is logged, not
 * thrown: the change itself is already durable, and the engine has been told.
 *
 * @example
 * const lifecycle = createLifecycleEmitter({ ingest, logger, now });
 * await lifecycle.emit('updated', automation, []);
 */
export function createLifecycleEmitter(deps: { ingest: LifecycleIngest; logger: LifecycleLogger; now: () => number }) {
  return {
    async emit(kind: LifecycleKind, automation: Automation, related: RelatedResource[]): Promise<void> {
      const event = automationLifecycleEvent(kind, automation, related, formatDateTime(deps.now()), newEventId());
      try {
        await deps.ingest.ingestBatch([event]);
      } catch (error) {
        deps.logger.warn(
          { err: error, automationId: automation.id, event: event.event },
          'an automation lifecycle event could not be emitted',
        );
      }
    },
  };
}
