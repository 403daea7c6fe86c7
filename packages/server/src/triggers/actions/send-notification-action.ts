import type { Action, JsonValue } from '@herald/core';
import { permanentFailure, renderText, type ActionContext, type ActionOutcome } from './action-job.js';
import type { ResolvedConnection } from '../../connections/connection-service.js';
import { httpTarget, loadConnection, sendToTarget } from './connection-target.js';
import { emailTarget, sendEmail } from './email-sender.js';

type SendNotification = Extract<Action, { type: 'send-notification' }>;

/** Discord refuses messages over 2000 characters. */
const DISCORD_MAX_CHARS = 2000;

/**
 * `send-notification`: renders `subject` and `body`, then delivers them through the connection named
 * by `block_document_id`: a Slack or Discord incoming webhook, a generic webhook (JSON
 * `{"subject","body"}`), or email over SMTP. A delivery error fails with "Notification failed" and the
 * error in `notification_log` (spec 4.4).
 *
 * @example
 * await sendNotification(ctx, { type: 'send-notification', block_document_id: slackId, subject: 'Alert', body: '{{ event.event }}' });
 */
export async function sendNotification(ctx: ActionContext, action: SendNotification): Promise<ActionOutcome> {
  const loaded = await loadConnection(ctx, action.block_document_id, ['slack', 'discord', 'webhook', 'email'], 'a notification connection');
  if (!loaded.ok) return loaded.outcome;
  const { connection, related } = loaded;
  const subject = renderText(ctx, action.subject ?? '', related);
  if (!subject.ok) return subject.outcome;
  const body = renderText(ctx, action.body, related);
  if (!body.ok) return body.outcome;
  const message = { subject: subject.text, body: body.text };

  if (connection.kind === 'email') {
    const target = emailTarget(connection);
    if (!target.ok) return permanentFailure(`The email connection is invalid: ${target.problem}`, related);
    const sent = await sendEmail(target.target, { subject: message.subject, text: message.body }, ctx.deps.http.timeoutMs);
    if (sent.ok) return { status: 'executed', details: sent.details, related };
    return notificationFailed(related, { ...sent.details, notification_log: sent.message }, sent.retryable ? 0 : null);
  }
  const parsed = httpTarget(connection);
  if (!parsed.ok) return permanentFailure(`The ${connection.kind} connection is invalid: ${parsed.problem}`, related);
  // Chat services take POST only, whatever a stray setting says.
  const target = connection.kind === 'webhook' ? parsed.target : { ...parsed.target, method: 'POST' };
  const verdict = await sendToTarget(ctx, target, JSON.stringify(notificationBody(connection, message)), {
    'content-type': 'application/json',
  });
  if (verdict.ok) return { status: 'executed', details: verdict.details, related };
  return notificationFailed(related, { ...verdict.details, notification_log: verdict.message }, verdict.retryAfterMs);
}

function notificationBody(connection: ResolvedConnection, message: { subject: string; body: string }): Record<string, JsonValue> {
  switch (connection.kind) {
    case 'slack':
      return { text: message.subject === '' ? message.body : `*${message.subject}*\n${message.body}` };
    case 'discord': {
      const content = message.subject === '' ? message.body : `**${message.subject}**\n${message.body}`;
      const chars = Array.from(content);
      return { content: chars.length <= DISCORD_MAX_CHARS ? content : `${chars.slice(0, DISCORD_MAX_CHARS - 1).join('')}…` };
    }
    case 'webhook':
    case 'email':
      return { subject: message.subject, body: message.body };
    default: {
      const unreachable: never = connection.kind;
      return unreachable;
    }
  }
}

function notificationFailed(
  related: ActionOutcome['related'],
  details: Record<string, JsonValue>,
  retryAfterMs: number | null,
): ActionOutcome {
  return { status: 'failed', reason: 'Notification failed', details, related, retryAfterMs };
}
