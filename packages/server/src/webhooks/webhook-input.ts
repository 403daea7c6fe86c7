import { toPointer, type ValidationIssue } from '@herald/core';
import type { WebhookSignaturePreset } from '../storage/ports.js';
import { standardWebhooksKey } from './signature-verifiers.js';

/** The writable fields of a webhook, as a client sends them (snake_case, like the spec's). */
export interface WebhookInput {
  name?: string;
  description?: string;
  enabled?: boolean;
  /** Jinja source; a JSON object is accepted and kept as its JSON text (spec A2). */
  template?: string;
  /** True: callers must send `Authorization: Bearer <the webhook's key>`; Herald issues the key. */
  require_api_key?: boolean;
  /** `secret` may be left out on update to keep the stored one (same preset). */
  signature?: { preset: WebhookSignaturePreset; secret?: string; tolerance_seconds?: number } | null;
  /** Requests per second; null for the server's default. */
  rate_limit?: number | null;
}

/** How a body is read: `create` and `replace` need `name` and `template`; `patch` changes what it names. */
export type InputMode = 'create' | 'replace' | 'patch';

export type InputParse = { ok: true; input: WebhookInput } | { ok: false; issues: ValidationIssue[] };

const PRESETS: readonly WebhookSignaturePreset[] = ['standard-webhooks', 'github', 'stripe'];
/** Fields a client may echo back from a read (Prefect's CLI sends the whole webhook on update); they are ignored. */
const READ_ONLY = new Set(['id', 'slug', 'endpoint', 'created', 'updated', 'api_key_prefix', 'service_account_id', 'account', 'workspace']);
const MAX_NAME = 200;
const MAX_DESCRIPTION = 5000;
const MAX_TEMPLATE = 256 * 1024;

function issue(path: (string | number)[], type: string, message: string): ValidationIssue {
  return { pointer: toPointer(path), path, type, message };
}

/**
 * Reads and checks a management body. Issues carry JSON pointers, for a 422 `WEBHOOK_INVALID`.
 *
 * @example
 * parseWebhookInput({ name: 'ci', template: '{"event": "ci.done", …}' }, 'create') // { ok: true, input: {…} }
 */
export function parseWebhookInput(body: unknown, mode: InputMode): InputParse {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, issues: [issue([], 'dict_type', 'The body must be a JSON object')] };
  const raw = body as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const input: WebhookInput = {};
  for (const key of Object.keys(raw)) {
    if (!READ_ONLY.has(key) && !['name', 'description', 'enabled', 'template', 'require_api_key', 'signature', 'rate_limit'].includes(key)) {
      issues.push(issue([key], 'extra_forbidden', `Unknown field ${key}`));
    }
  }
  if (mode !== 'patch') {
    for (const key of ['name', 'template'] as const) if (raw[key] === undefined) issues.push(issue([key], 'missing', `${key} is required`));
  }
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || raw.name.trim() === '' || raw.name.length > MAX_NAME) {
      issues.push(issue(['name'], 'string_type', `name must be a non-empty string of at most ${MAX_NAME} characters`));
    } else input.name = raw.name;
  }
  if (raw.description !== undefined && raw.description !== null) {
    if (typeof raw.description !== 'string' || raw.description.length > MAX_DESCRIPTION) {
      issues.push(issue(['description'], 'string_type', `description must be a string of at most ${MAX_DESCRIPTION} characters`));
    } else input.description = raw.description;
  }
  if (raw.enabled !== undefined) {
    if (typeof raw.enabled !== 'boolean') issues.push(issue(['enabled'], 'bool_type', 'enabled must be true or false'));
    else input.enabled = raw.enabled;
  }
  if (raw.template !== undefined) {
    const template = typeof raw.template === 'object' && raw.template !== null ? JSON.stringify(raw.template) : raw.template;
    if (typeof template !== 'string' || template.trim() === '' || template.length > MAX_TEMPLATE) {
      issues.push(issue(['template'], 'string_type', 'template must be a non-empty string (or a JSON object)'));
    } else input.template = template;
  }
  if (raw.require_api_key !== undefined) {
    if (typeof raw.require_api_key !== 'boolean') issues.push(issue(['require_api_key'], 'bool_type', 'require_api_key must be true or false'));
    else input.require_api_key = raw.require_api_key;
  }
  if (raw.rate_limit !== undefined) {
    if (raw.rate_limit !== null && (typeof raw.rate_limit !== 'number' || !Number.isFinite(raw.rate_limit) || raw.rate_limit <= 0)) {
      issues.push(issue(['rate_limit'], 'greater_than', 'rate_limit must be a positive number of requests per second, or null'));
    } else input.rate_limit = raw.rate_limit;
  }
  if (raw.signature !== undefined) parseSignature(raw.signature, input, issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, input };
}

function parseSignature(value: unknown, input: WebhookInput, issues: ValidationIssue[]): void {
  if (value === null) {
    input.signature = null;
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.push(issue(['signature'], 'dict_type', 'signature must be an object or null'));
    return;
  }
  const raw = value as Record<string, unknown>;
  const before = issues.length;
  for (const key of Object.keys(raw)) {
    if (!['preset', 'secret', 'tolerance_seconds', 'has_secret'].includes(key)) issues.push(issue(['signature', key], 'extra_forbidden', `Unknown field ${key}`));
  }
  const preset = raw.preset as WebhookSignaturePreset;
  if (!PRESETS.includes(preset)) issues.push(issue(['signature', 'preset'], 'enum', `preset must be one of ${PRESETS.join(', ')}`));
  if (raw.secret !== undefined) {
    if (typeof raw.secret !== 'string' || raw.secret.length === 0 || raw.secret.length > 1024) {
      issues.push(issue(['signature', 'secret'], 'string_type', 'secret must be a non-empty string'));
    } else if (preset === 'standard-webhooks' && standardWebhooksKey(raw.secret) === null) {
      issues.push(issue(['signature', 'secret'], 'value_error', 'a Standard Webhooks secret is whsec_ followed by base64'));
    }
  }
  const tolerance = raw.tolerance_seconds;
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !Number.isInteger(tolerance) || tolerance < 1 || tolerance > 86_400)) {
    issues.push(issue(['signature', 'tolerance_seconds'], 'int_type', 'tolerance_seconds must be an integer from 1 to 86400'));
  }
  if (issues.length > before) return;
  input.signature = {
    preset,
    ...(typeof raw.secret === 'string' ? { secret: raw.secret } : {}),
    ...(typeof tolerance === 'number' ? { tolerance_seconds: tolerance } : {}),
  };
}
