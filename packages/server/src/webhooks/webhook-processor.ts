import { HeraldError, type Event, type EventValidator, type ValidationIssue } from '@herald/core';
import type { Logger } from 'pino';
import type { IngestService } from '../ingestion/ingest-service.js';
import type { WebhookRecord } from '../storage/ports.js';
import type { InboundRequest } from './inbound-request.js';
import { failedEvent, type WebhookFailure } from './webhook-events.js';
import type { RequestInterpreter } from './interpreter-pool.js';
import { interpretRequest, type RenderWebhookTemplate, type WebhookRef } from './webhook-interpreter.js';

/** The result of a request run through a webhook: the stored events' ids, or the failure. */
export type ProcessResult = { ok: true; eventIds: string[] } | { ok: false; failure: WebhookFailure; rendered: string | null };

/** A dry run (preview): the events a request would produce, fully completed and validated. */
export type DryRunResult =
  | { ok: true; events: Record<string, unknown>[]; rendered: string | null }
  | { ok: false; failure: WebhookFailure; rendered: string | null };

export interface WebhookProcessorDeps {
  ingest: IngestService;
  validator: EventValidator;
  /** Renders previews (dry runs), on the calling thread. */
  render: RenderWebhookTemplate;
  /** Interprets the requests that are stored: the endpoint's and replays. */
  interpreter: RequestInterpreter;
  logger: Logger;
}

function describeIssue(issue: ValidationIssue | undefined): string {
  return issue === undefined ? 'the event is invalid' : `${issue.pointer || '/'}: ${issue.message}`;
}

/**
 * Runs requests through webhooks: interpret (template or CloudEvents), validate, then ingest every
 * resulting event in one all-or-nothing batch that resolves after commit. A failure emits
 * `herald.webhook.failed`, also after commit, so a 400 is as durable as a 204.
 *
 * @example
 * const result = await processor.process(webhook, request, captureId);
 * reply.code(result.ok ? 204 : 400);
 */
export class WebhookProcessor {
  constructor(private readonly deps: WebhookProcessorDeps) {}

  /** Interprets and validates without storing anything. */
  dryRun(webhook: WebhookRef, request: InboundRequest): DryRunResult {
    const interpretation = interpretRequest(webhook, request, this.deps.render);
    if (!interpretation.ok) return interpretation;
    for (const event of interpretation.events) {
      const validation = this.deps.validator.validate(event);
      if (!validation.ok) {
        return {
          ok: false,
          failure: { reason: 'event', error: `the event is invalid: ${describeIssue(validation.issues[0])}` },
          rendered: interpretation.rendered,
        };
      }
    }
    return interpretation;
  }

  /**
   * Stores the events of a request, or emits `herald.webhook.failed` and returns the failure.
   * Rejects only when storage does (`STORAGE_UNAVAILABLE`, `SHUTTING_DOWN`).
   */
  async process(webhook: WebhookRef, request: InboundRequest, requestId: string | null): Promise<ProcessResult> {
    // Ingest validates the events itself; validating here too would double the cost of a request.
    const result = await this.deps.interpreter.interpret(webhook, request);
    if (!result.ok) {
      await this.fail(webhook, request, result.failure, result.rendered, requestId);
      return result;
    }
    try {
      await this.deps.ingest.ingestBatch(result.events);
    } catch (error) {
      if (!(error instanceof HeraldError) || error.code !== 'EVENT_VALIDATION_FAILED') throw error;
      // What the validator cannot see: the stored size of the normalised event.
      const issues = (error.details as { issues?: ValidationIssue[] } | undefined)?.issues;
      const failure: WebhookFailure = { reason: 'event', error: `the event is invalid: ${describeIssue(issues?.[0])}` };
      await this.fail(webhook, request, failure, result.rendered, requestId);
      return { ok: false, failure, rendered: result.rendered };
    }
    return { ok: true, eventIds: result.events.map((e) => String(e.id)) };
  }

  /** Emits `herald.webhook.failed` for a request that produced no event. */
  async fail(
    webhook: Pick<WebhookRecord, 'id' | 'name'>,
    request: InboundRequest,
    failure: WebhookFailure,
    rendered: string | null,
    requestId: string | null,
  ): Promise<void> {
    await this.emit(failedEvent(webhook, request, failure, { rendered, requestId }));
  }

  /** Ingests one of Herald's own events; an invalid one is a bug, logged rather than thrown at the caller. */
  async emit(event: Event): Promise<void> {
    const result = await this.deps.ingest.ingestOne(event);
    if (!result.ok)
      this.deps.logger.error({ event: event.event, issues: result.issues }, 'a webhook event of Herald was refused by ingest');
  }
}
