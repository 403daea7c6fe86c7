import { createHmac } from 'node:crypto';

/** What a Standard Webhooks signature covers. `timestamp` is in whole seconds since the epoch. */
export interface StandardWebhookMessage {
  id: string;
  timestamp: number;
  body: string;
}

/**
 * The headers that sign a request with the Standard Webhooks scheme (standardwebhooks.com):
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the secret's
 * bytes, the base64 after the `whsec_` prefix.
 *
 * @example
 * signStandardWebhook({ id: 'msg_1', timestamp: 1700000000, body: '{}' }, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
 * // { 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,…' }
 */
export function signStandardWebhook(message: StandardWebhookMessage, secret: string): Record<string, string> {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const signature = createHmac('sha256', key).update(`${message.id}.${message.timestamp}.${message.body}`).digest('base64');
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}
