import { describe, expect, it } from 'vitest';
import type { WebhookView } from '@herald/sdk/browser';
import { protectionFields, protectionOf } from './webhook-protection.js';

describe('webhook protection', () => {
  it('starts from the stored settings, never from a secret', () => {
    const webhook = { require_api_key: true, signature: { preset: 'stripe', tolerance_seconds: 60, has_secret: true } } as WebhookView;
    expect(protectionOf(webhook)).toEqual({ requireApiKey: true, preset: 'stripe', secret: '', toleranceSeconds: 60 });
    expect(protectionOf(null)).toEqual({ requireApiKey: false, preset: 'none', secret: '', toleranceSeconds: 300 });
  });

  it('leaves an empty secret out, so the server keeps the stored one', () => {
    expect(protectionFields({ requireApiKey: false, preset: 'github', secret: '  ', toleranceSeconds: 300 })).toEqual({ require_api_key: false, signature: { preset: 'github', tolerance_seconds: 300 } });
    expect(protectionFields({ requireApiKey: true, preset: 'github', secret: 'abc', toleranceSeconds: 30 })).toEqual({ require_api_key: true, signature: { preset: 'github', tolerance_seconds: 30, secret: 'abc' } });
  });

  it('removes the signature with the none preset', () => {
    expect(protectionFields({ requireApiKey: false, preset: 'none', secret: 'ignored', toleranceSeconds: 300 })).toEqual({ require_api_key: false, signature: null });
  });
});
