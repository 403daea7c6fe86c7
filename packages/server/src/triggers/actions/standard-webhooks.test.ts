import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedEventId } from './derived-event-id.js';
import { signStandardWebhook } from './standard-webhooks.js';

describe('signStandardWebhook', () => {
  it('matches the Standard Webhooks reference vector', () => {
    // From the standard-webhooks reference libraries' test suite.
    const headers = signStandardWebhook(
      { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' },
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    );
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('signs id.timestamp.body with the decoded secret', () => {
    const key = Buffer.from('0123456789abcdef');
    const expected = createHmac('sha256', key).update('a.1.body').digest('base64');
    expect(signStandardWebhook({ id: 'a', timestamp: 1, body: 'body' }, `whsec_${key.toString('base64')}`)['webhook-signature']).toBe(
      `v1,${expected}`,
    );
  });
});

describe('derivedEventId', () => {
  it('is a stable UUID per job and purpose', () => {
    const id = derivedEventId('job-1', 'emit-event');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedEventId('job-1', 'emit-event')).toBe(id);
    expect(derivedEventId('job-2', 'emit-event')).not.toBe(id);
    expect(derivedEventId('job-1', 'other')).not.toBe(id);
  });
});
