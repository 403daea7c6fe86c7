import { HeraldError, isUuid, normalizeUuid, type Automation } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import type { AutomationTraceView } from '../triggers/automation-trace.js';

const JSON_TYPE = 'application/json; charset=utf-8';

const traceSchema = {
  type: 'object',
  properties: {
    automation_id: { type: 'string' },
    capacity: { type: 'integer', description: 'Most entries kept; older ones are dropped first.' },
    totals: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'Entries recorded per kind since the trace began, dropped ones included.',
    },
    entries: {
      type: 'array',
      description: 'Oldest first.',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string', format: 'date-time' },
          kind: {
            type: 'string',
            description:
              'matched, rejected, counted, ignored, window, waiting, released, fired, resolved, state-event, action-attempt, action',
          },
          detail: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
};

export interface AutomationTraceRouteDeps {
  automations: { get(id: string): Promise<Automation | null> };
  /** The evaluator's traces; on a replica that does not evaluate, the saved ones, read asynchronously. */
  traces: { view(automationId: string): AutomationTraceView | Promise<AutomationTraceView> };
}

/**
 * `GET /api/automations/{id}/trace`: why an automation did or did not fire — its last evaluation
 * decisions (matched or rejected events and the criterion, bucket keys and counts, windows, causal
 * waits), firings and resolutions, and each action attempt with its outcome. 404 for an unknown
 * automation. The shape is Herald's own (see `docs/automations.md`).
 *
 * @example
 * registerAutomationTraceRoute(app, { automations, traces: runtime.traces });
 * // GET /api/automations/0193…/trace → { automation_id, capacity: 500, totals: { matched: 3 }, entries: [...] }
 */
export function registerAutomationTraceRoute(app: FastifyInstance, deps: AutomationTraceRouteDeps): void {
  app.get(
    '/api/automations/:id/trace',
    {
      schema: {
        operationId: 'read_automation_trace',
        summary: "Why did or didn't an automation fire?",
        description: 'The bounded evaluation trace of one automation: its latest decisions and action outcomes, oldest first.',
        tags: ['automations'],
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
        response: { 200: traceSchema },
      },
    },
    async (request, reply) => {
      const { id: raw } = request.params as { id: string };
      if (!isUuid(raw)) throw new HeraldError('ROUTE_NOT_FOUND');
      const id = normalizeUuid(raw);
      if ((await deps.automations.get(id)) === null) throw new HeraldError('AUTOMATION_NOT_FOUND', { details: { id } });
      return reply.type(JSON_TYPE).send(await deps.traces.view(id));
    },
  );
}
