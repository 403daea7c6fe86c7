import type { WebhookFields, WebhookSignaturePreset, WebhookView } from '@herald/sdk/browser';

/** What the protection section of the webhook form holds. */
export interface ProtectionDraft {
  requireApiKey: boolean;
  /** `none`: callers' signatures are not checked. */
  preset: WebhookSignaturePreset | 'none';
  /** Empty keeps the stored secret (when there is one). */
  secret: string;
  toleranceSeconds: number;
}

/**
 * The form's starting values for a webhook (or a new one).
 *
 * @example
 * protectionOf(null) // { requireApiKey: false, preset: 'none', secret: '', toleranceSeconds: 300 }
 */
export function protectionOf(webhook: WebhookView | null): ProtectionDraft {
  return {
    requireApiKey: webhook?.require_api_key ?? false,
    preset: webhook?.signature?.preset ?? 'none',
    secret: '',
    toleranceSeconds: webhook?.signature?.tolerance_seconds ?? 300,
  };
}

/**
 * The protection fields of a webhook write. The secret is write-only, so an empty secret is left out
 * (the server keeps the stored one); a new signature without a secret is refused by the server.
 *
 * @example
 * protectionFields({ requireApiKey: true, preset: 'github', secret: 's3cret', toleranceSeconds: 300 })
 * // { require_api_key: true, signature: { preset: 'github', tolerance_seconds: 300, secret: 's3cret' } }
 */
export function protectionFields(draft: ProtectionDraft): Pick<WebhookFields, 'require_api_key' | 'signature'> {
  const secret = draft.secret.trim();
  return {
    require_api_key: draft.requireApiKey,
    signature: draft.preset === 'none' ? null : { preset: draft.preset, tolerance_seconds: draft.toleranceSeconds, ...(secret === '' ? {} : { secret }) },
  };
}
