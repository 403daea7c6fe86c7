import type { ConnectionCreateBody, ConnectionKind, JsonValue } from '@herald/sdk/browser';

/** The write-only secrets each connection kind takes (docs/connections.md), the required one first. */
export const CONNECTION_SECRETS: Record<ConnectionKind, { name: string; label: string; required: boolean }[]> = {
  webhook: [
    { name: 'url', label: 'URL', required: true },
    { name: 'headers', label: 'Headers (a JSON object of strings)', required: false },
    { name: 'signing_secret', label: 'Signing secret (whsec_…)', required: false },
  ],
  slack: [{ name: 'url', label: 'Incoming webhook URL', required: true }],
  discord: [{ name: 'url', label: 'Incoming webhook URL', required: true }],
  email: [
    { name: 'username', label: 'SMTP username', required: false },
    { name: 'password', label: 'SMTP password', required: false },
  ],
};

/** The settings a new connection of each kind starts from. */
export const DEFAULT_CONNECTION_SETTINGS: Record<ConnectionKind, Record<string, JsonValue>> = {
  webhook: { method: 'POST' },
  slack: {},
  discord: {},
  email: { host: 'smtp.example.com', port: 587, from: 'herald@example.com', to: ['ops@example.com'] },
};

/** What the new-connection form holds: settings as JSON text, secrets as typed (empty means unset). */
export interface ConnectionDraft {
  kind: ConnectionKind;
  name: string;
  settingsText: string;
  secrets: Record<string, string>;
}

/**
 * The request body of a new connection, or why the form cannot be sent yet.
 *
 * @example
 * connectionBody({ kind: 'slack', name: 'ops', settingsText: '{}', secrets: { url: 'https://hooks.slack.com/…' } })
 * // { ok: true, body: { kind: 'slack', name: 'ops', settings: {}, secrets: { url: 'https://hooks.slack.com/…' } } }
 */
export function connectionBody(draft: ConnectionDraft): { ok: true; body: ConnectionCreateBody } | { ok: false; message: string } {
  if (draft.name.trim() === '') return { ok: false, message: 'A name is required.' };
  let settings: unknown;
  try {
    settings = JSON.parse(draft.settingsText === '' ? '{}' : draft.settingsText);
  } catch (error) {
    return { ok: false, message: `Settings are not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return { ok: false, message: 'Settings must be a JSON object.' };
  const secrets: Record<string, string> = {};
  for (const field of CONNECTION_SECRETS[draft.kind]) {
    const value = draft.secrets[field.name]?.trim() ?? '';
    if (value !== '') secrets[field.name] = value;
    else if (field.required) return { ok: false, message: `The ${field.label} is required.` };
  }
  return { ok: true, body: { kind: draft.kind, name: draft.name.trim(), settings: settings as Record<string, JsonValue>, secrets } };
}
