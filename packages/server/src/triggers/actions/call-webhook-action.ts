import type { Action } from '@herald/core';
import { permanentFailure, renderText, type ActionContext, type ActionOutcome } from './action-job.js';
import { httpTarget, loadConnection, sendToTarget } from './connection-target.js';

/**
 * `call-webhook`: renders `payload` and sends it verbatim as the body to the webhook connection named
 * by `block_document_id`. A 2xx answer succeeds with `status_code`, `response_headers` (redacted) and
 * `response_body` (truncated); any other answer fails (DECISIONS 14), retryable for 5xx and 429.
 *
 * @example
 * await callWebhook(ctx, { type: 'call-webhook', block_document_id: connectionId, payload: '{"name": "{{ automation.name }}"}' });
 */
export async function callWebhook(ctx: ActionContext, action: Extract<Action, { type: 'call-webhook' }>): Promise<ActionOutcome> {
  const loaded = await loadConnection(ctx, action.block_document_id, ['webhook'], 'a webhook connection');
  if (!loaded.ok) return loaded.outcome;
  const { connection, related } = loaded;
  const parsed = httpTarget(connection);
  if (!parsed.ok) return permanentFailure(`The webhook connection is invalid: ${parsed.problem}`, related);
  const payload = renderText(ctx, action.payload ?? '', related);
  if (!payload.ok) return payload.outcome;
  const verdict = await sendToTarget(ctx, parsed.target, payload.text);
  if (verdict.ok) return { status: 'executed', details: verdict.details, related };
  return {
    status: 'failed',
    reason: `Webhook call failed: ${verdict.message}`,
    details: verdict.details,
    related,
    retryAfterMs: verdict.retryAfterMs,
  };
}
