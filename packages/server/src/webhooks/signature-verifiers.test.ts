import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { standardWebhooksKey, verifySignature, type SignatureInput } from './signature-verifiers.js';

const body = Buffer.from('{"type":"invoice.paid"}');
const now = 1_763_800_000;
const base = { toleranceSeconds: 300, body, nowSeconds: now };

describe('verifySignature', () => {
  it('Standard Webhooks: the example secret, several signatures, tolerance both ways', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const sign = (t: number, key = standardWebhooksKey(secret)!) => createHmac('sha256', key).update(`msg_p5jXN8AQM9LWM0D4loKWxJek.${t}.`).update(body).digest('base64');
    const input = (t: number, signature: string): SignatureInput => ({
      ...base,
      preset: 'standard-webhooks',
      secret,
      headers: { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': String(t), 'webhook-signature': signature },
    });
    expect(verifySignature(input(now, `v1,${sign(now)}`))).toEqual({ ok: true });
    expect(verifySignature(input(now, `v1,bm90IGl0 v1,${sign(now)}`))).toEqual({ ok: true });
    expect(verifySignature(input(now, `v1,${sign(now, Buffer.from('other'))}`))).toEqual({ ok: false, failure: 'mismatch' });
    expect(verifySignature(input(now - 301, `v1,${sign(now - 301)}`))).toEqual({ ok: false, failure: 'stale' });
    expect(verifySignature(input(now + 301, `v1,${sign(now + 301)}`))).toEqual({ ok: false, failure: 'stale' });
    expect(verifySignature(input(now, `v2,${sign(now)}`))).toEqual({ ok: false, failure: 'malformed' });
    expect(verifySignature({ ...input(now, ''), headers: {} })).toEqual({ ok: false, failure: 'missing' });
  });

  it('GitHub: sha256= hex over the raw body', () => {
    const signature = `sha256=${createHmac('sha256', 'It\'s a Secret to Everybody').update(body).digest('hex')}`;
    const input = (header?: string): SignatureInput => ({ ...base, preset: 'github', secret: "It's a Secret to Everybody", headers: { 'x-hub-signature-256': header } });
    expect(verifySignature(input(signature))).toEqual({ ok: true });
    expect(verifySignature(input(signature.toUpperCase().replace('SHA256=', 'sha256=')))).toEqual({ ok: true });
    expect(verifySignature(input('sha256=' + '0'.repeat(64)))).toEqual({ ok: false, failure: 'mismatch' });
    expect(verifySignature(input('sha1=abc'))).toEqual({ ok: false, failure: 'malformed' });
    expect(verifySignature(input())).toEqual({ ok: false, failure: 'missing' });
  });

  it('Stripe: t and v1 (several allowed), within the tolerance', () => {
    const sign = (t: number) => createHmac('sha256', 'whsec_test').update(`${t}.`).update(body).digest('hex');
    const input = (header: string): SignatureInput => ({ ...base, preset: 'stripe', secret: 'whsec_test', headers: { 'stripe-signature': header } });
    expect(verifySignature(input(`t=${now},v1=${sign(now)},v0=abc`))).toEqual({ ok: true });
    expect(verifySignature(input(`t=${now},v1=${'1'.repeat(64)},v1=${sign(now)}`))).toEqual({ ok: true });
    expect(verifySignature(input(`t=${now},v1=${sign(now + 1)}`))).toEqual({ ok: false, failure: 'mismatch' });
    expect(verifySignature(input(`t=${now - 600},v1=${sign(now - 600)}`))).toEqual({ ok: false, failure: 'stale' });
    expect(verifySignature(input(`v1=${sign(now)}`))).toEqual({ ok: false, failure: 'malformed' });
  });
});
