import type { WebhookSignaturePreset, WebhookView } from '@herald/sdk/browser';
import { CopyButton } from '../../components/CopyButton.js';
import type { ProtectionDraft } from '../../lib/webhook-protection.js';

const PRESETS: { value: WebhookSignaturePreset | 'none'; label: string }[] = [
  { value: 'none', label: 'None' },
  { value: 'standard-webhooks', label: 'Standard Webhooks (webhook-signature)' },
  { value: 'github', label: 'GitHub (X-Hub-Signature-256)' },
  { value: 'stripe', label: 'Stripe (Stripe-Signature)' },
];

/** Who may call the webhook: an API key (issued by the server, shown once) and a signature scheme with its write-only secret. */
export function WebhookProtection({ webhook, draft, onChange }: { webhook: WebhookView | null; draft: ProtectionDraft; onChange: (draft: ProtectionDraft) => void }) {
  const hasSecret = webhook?.signature?.has_secret === true && webhook.signature.preset === draft.preset;
  return (
    <fieldset className="editor-section" data-testid="webhook-protection">
      <legend>Protection</legend>
      <label className="inline">
        <input type="checkbox" checked={draft.requireApiKey} onChange={(e) => onChange({ ...draft, requireApiKey: e.target.checked })} aria-label="Require an API key" /> Require an API key
        (callers send <code>Authorization: Bearer hwk_…</code>)
        {webhook?.api_key_prefix && draft.requireApiKey && <span className="muted small-text mono"> current key {webhook.api_key_prefix}…</span>}
      </label>
      <div className="row">
        <label>
          Signature{' '}
          <select value={draft.preset} onChange={(e) => onChange({ ...draft, preset: e.target.value as ProtectionDraft['preset'] })} aria-label="Signature preset">
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        {draft.preset !== 'none' && (
          <>
            <label>
              Secret{' '}
              <input
                type="password"
                autoComplete="off"
                value={draft.secret}
                onChange={(e) => onChange({ ...draft, secret: e.target.value })}
                placeholder={hasSecret ? 'set (leave empty to keep)' : draft.preset === 'standard-webhooks' ? 'whsec_…' : 'the shared secret'}
                aria-label="Signature secret"
              />
            </label>
            <label>
              Tolerance (s){' '}
              <input type="number" min={1} value={draft.toleranceSeconds} onChange={(e) => onChange({ ...draft, toleranceSeconds: Number(e.target.value) })} aria-label="Signature tolerance" />
            </label>
          </>
        )}
      </div>
    </fieldset>
  );
}

/** The API key the server just issued: it is shown here once and never again. */
export function IssuedApiKey({ apiKey, onDismiss }: { apiKey: string; onDismiss: () => void }) {
  return (
    <div className="state" role="status" data-testid="issued-api-key">
      <h3>The webhook&apos;s API key</h3>
      <p>Copy it now: Herald keeps only its hash and will not show it again.</p>
      <p className="row">
        <code className="mono">{apiKey}</code> <CopyButton text={apiKey} label="Copy key" />
        <button type="button" className="small" onClick={onDismiss}>
          Done
        </button>
      </p>
    </div>
  );
}
