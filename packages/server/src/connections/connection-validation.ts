import { toPointer, type ConnectionKind, type JsonValue, type ValidationIssue } from '@herald/core';

/** The kinds of connection Herald can send through. */
export const CONNECTION_KINDS: readonly ConnectionKind[] = ['webhook', 'slack', 'discord', 'email'];

/** HTTP methods a webhook connection may use. */
export const WEBHOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** A connection's content after validation: settings with their defaults filled in, and the secrets. */
export interface ConnectionContent {
  name: string;
  kind: ConnectionKind;
  settings: Record<string, JsonValue>;
  secrets: Record<string, string>;
}

/** A `PATCH /api/connections/{id}` body: settings replace the stored ones; a secret set to null is removed. */
export interface ConnectionPatch {
  name?: string;
  settings?: Record<string, unknown>;
  secrets?: Record<string, string | null>;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

type Path = (string | number)[];

function issue(path: Path, type: string, message: string): ValidationIssue {
  return { pointer: toPointer(path), path, type, message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], path: Path, issues: ValidationIssue[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      issues.push(issue([...path, key], 'extra_forbidden', `Unknown field "${key}"; allowed: ${allowed.join(', ') || 'none'}.`));
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;
/** `Name <a@b>` or a bare address. */
const isAddress = (text: string) => ADDRESS.test(text) || /^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(text.trim());

/**
 * Secret values are never quoted in messages: a 422 must not echo a webhook URL or a password.
 */
function checkSecrets(kind: ConnectionKind, secrets: Record<string, string>, issues: ValidationIssue[]): void {
  const path = (key: string): Path => ['secrets', key];
  const allowed: Record<ConnectionKind, readonly string[]> = {
    webhook: ['url', 'headers', 'signing_secret'],
    slack: ['url'],
    discord: ['url'],
    email: ['username', 'password'],
  };
  onlyKeys(secrets, allowed[kind], ['secrets'], issues);
  if (kind !== 'email') {
    if (secrets.url === undefined) issues.push(issue(path('url'), 'missing', 'The url is required.'));
    else if (!isHttpUrl(secrets.url))
      issues.push(issue(path('url'), 'url_parsing', 'The url must be an absolute http:// or https:// URL.'));
  }
  if (secrets.headers !== undefined) {
    let headers: unknown;
    try {
      headers = JSON.parse(secrets.headers);
    } catch {
      headers = undefined;
    }
    if (!isObject(headers) || Object.values(headers).some((v) => typeof v !== 'string')) {
      issues.push(
        issue(path('headers'), 'value_error', 'The headers must be a JSON object of strings, as text, e.g. "{\\"x-token\\": \\"…\\"}".'),
      );
    }
  }
  if (secrets.signing_secret !== undefined) {
    const body = secrets.signing_secret.startsWith('whsec_') ? secrets.signing_secret.slice('whsec_'.length) : '';
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(body) ? Buffer.from(body, 'base64').length : 0;
    if (bytes < 24 || bytes > 64) {
      issues.push(
        issue(
          path('signing_secret'),
          'value_error',
          'The signing secret must be "whsec_" followed by the base64 of 24 to 64 random bytes (Standard Webhooks).',
        ),
      );
    }
  }
}

function checkSettings(kind: ConnectionKind, raw: Record<string, unknown>, issues: ValidationIssue[]): Record<string, JsonValue> {
  const path = (key: string): Path => ['settings', key];
  switch (kind) {
    case 'webhook': {
      onlyKeys(raw, ['method', 'allow_private_network'], ['settings'], issues);
      const method = raw.method === undefined ? 'POST' : typeof raw.method === 'string' ? raw.method.toUpperCase() : null;
      if (method === null || !(WEBHOOK_METHODS as readonly string[]).includes(method)) {
        issues.push(issue(path('method'), 'enum', `The method must be one of ${WEBHOOK_METHODS.join(', ')}.`));
      }
      const allow = raw.allow_private_network ?? false;
      if (typeof allow !== 'boolean')
        issues.push(issue(path('allow_private_network'), 'bool_type', 'allow_private_network must be a boolean.'));
      return { method: method ?? 'POST', allow_private_network: allow === true };
    }
    case 'slack':
    case 'discord':
      onlyKeys(raw, [], ['settings'], issues);
      return {};
    case 'email': {
      onlyKeys(raw, ['host', 'port', 'secure', 'from', 'to'], ['settings'], issues);
      const { host, port, from, to } = raw;
      if (typeof host !== 'string' || host.trim() === '') issues.push(issue(path('host'), 'missing', 'The SMTP host is required.'));
      const portOk = typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
      if (!portOk) issues.push(issue(path('port'), 'int_type', 'The port must be an integer from 1 to 65535.'));
      const secure = raw.secure ?? port === 465;
      if (typeof secure !== 'boolean')
        issues.push(issue(path('secure'), 'bool_type', 'secure must be a boolean (true for implicit TLS, usually port 465).'));
      if (typeof from !== 'string' || !isAddress(from)) issues.push(issue(path('from'), 'value_error', 'from must be an email address.'));
      const recipients = typeof to === 'string' ? [to] : to;
      if (!Array.isArray(recipients) || recipients.length === 0 || recipients.some((r) => typeof r !== 'string' || !isAddress(r))) {
        issues.push(issue(path('to'), 'value_error', 'to must be a non-empty list of email addresses.'));
      }
      return {
        host: typeof host === 'string' ? host.trim() : '',
        port: portOk ? port : 0,
        secure: secure === true,
        from: typeof from === 'string' ? from : '',
        to: Array.isArray(recipients) ? recipients.filter((r): r is string => typeof r === 'string') : [],
      };
    }
    default: {
      const unreachable: never = kind;
      throw new Error(`Unknown connection kind ${String(unreachable)}`);
    }
  }
}

function readName(body: Record<string, unknown>, issues: ValidationIssue[]): string | undefined {
  const name = body.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
    issues.push(
      issue(['name'], name === undefined ? 'missing' : 'string_type', 'The name must be a non-empty string of at most 200 characters.'),
    );
    return undefined;
  }
  return name;
}

function readSecretsObject(value: unknown, allowNull: boolean, issues: ValidationIssue[]): Record<string, string | null> {
  if (!isObject(value)) {
    issues.push(issue(['secrets'], 'dict_type', 'secrets must be an object of strings.'));
    return {};
  }
  const out: Record<string, string | null> = {};
  for (const [key, secret] of Object.entries(value)) {
    if (typeof secret === 'string' && secret !== '') out[key] = secret;
    else if (secret === null && allowNull) out[key] = null;
    else
      issues.push(
        issue(
          ['secrets', key],
          'string_type',
          allowNull ? 'A secret must be a non-empty string, or null to remove it.' : 'A secret must be a non-empty string.',
        ),
      );
  }
  return out;
}

/**
 * Validates a complete connection: the settings and secrets its kind needs (see `docs/connections.md`).
 * Settings come back with their defaults (`method: 'POST'`, `allow_private_network: false`, `secure`).
 *
 * @example
 * validateConnectionContent({ name: 'ops', kind: 'slack', settings: {}, secrets: { url: 'https://hooks.slack.com/…' } })
 */
export function validateConnectionContent(input: {
  name: string;
  kind: ConnectionKind;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}): Checked<ConnectionContent> {
  const issues: ValidationIssue[] = [];
  const settings = checkSettings(input.kind, input.settings, issues);
  checkSecrets(input.kind, input.secrets, issues);
  return issues.length > 0
    ? { ok: false, issues }
    : { ok: true, value: { name: input.name, kind: input.kind, settings, secrets: input.secrets } };
}

/**
 * Parses a `POST /api/connections` body `{name, kind, settings?, secrets?}`.
 *
 * @example
 * parseConnectionCreate({ name: 'hook', kind: 'webhook', secrets: { url: 'https://example.com/h' } })
 */
export function parseConnectionCreate(body: unknown): Checked<ConnectionContent> {
  if (!isObject(body)) return { ok: false, issues: [issue([], 'dict_type', 'The body must be a JSON object.')] };
  const issues: ValidationIssue[] = [];
  onlyKeys(body, ['name', 'kind', 'settings', 'secrets'], [], issues);
  const name = readName(body, issues);
  const kind = CONNECTION_KINDS.includes(body.kind as ConnectionKind) ? (body.kind as ConnectionKind) : undefined;
  if (kind === undefined)
    issues.push(issue(['kind'], body.kind === undefined ? 'missing' : 'enum', `kind must be one of ${CONNECTION_KINDS.join(', ')}.`));
  const settings = body.settings === undefined ? {} : body.settings;
  if (!isObject(settings)) issues.push(issue(['settings'], 'dict_type', 'settings must be an object.'));
  const secrets = readSecretsObject(body.secrets ?? {}, false, issues) as Record<string, string>;
  if (issues.length > 0 || name === undefined || kind === undefined || !isObject(settings)) return { ok: false, issues };
  return validateConnectionContent({ name, kind, settings, secrets });
}

/**
 * Parses a `PATCH /api/connections/{id}` body `{name?, settings?, secrets?}`. The kind cannot change.
 *
 * @example
 * parseConnectionPatch({ secrets: { headers: null } }) // { ok: true, value: { secrets: { headers: null } } }
 */
export function parseConnectionPatch(body: unknown): Checked<ConnectionPatch> {
  if (!isObject(body)) return { ok: false, issues: [issue([], 'dict_type', 'The body must be a JSON object.')] };
  const issues: ValidationIssue[] = [];
  onlyKeys(body, ['name', 'settings', 'secrets'], [], issues);
  const patch: ConnectionPatch = {};
  if (body.name !== undefined) patch.name = readName(body, issues);
  if (body.settings !== undefined) {
    if (isObject(body.settings)) patch.settings = body.settings;
    else issues.push(issue(['settings'], 'dict_type', 'settings must be an object.'));
  }
  if (body.secrets !== undefined) patch.secrets = readSecretsObject(body.secrets, true, issues);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: patch };
}
