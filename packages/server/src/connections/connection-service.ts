import { randomUUID } from 'node:crypto';
import { formatDateTime, type Connection, type ConnectionKind, type JsonValue, type ValidationIssue } from '@herald/core';
import type { SecretBox } from '../secrets/secret-box.js';
import type { ConnectionRecord, ConnectionStore } from '../storage/ports.js';
import { parseConnectionCreate, parseConnectionPatch, validateConnectionContent, type ConnectionContent } from './connection-validation.js';

/** A connection with its secrets decrypted, for the action executors only. Never sent to a client. */
export interface ResolvedConnection {
  id: string;
  name: string;
  kind: ConnectionKind;
  settings: Record<string, JsonValue>;
  secrets: Record<string, string>;
}

/** Finds a connection by id, secrets decrypted. */
export interface ConnectionResolver {
  resolve(id: string): Promise<ResolvedConnection | null>;
}

/** The outcome of a create or update: the connection as clients see it, or what is wrong with the input. */
export type ConnectionWrite = { ok: true; connection: Connection } | { ok: false; issues: ValidationIssue[] };

export interface ConnectionService extends ConnectionResolver {
  create(body: unknown): Promise<ConnectionWrite>;
  list(): Promise<Connection[]>;
  get(id: string): Promise<Connection | null>;
  /** Applies a PATCH body; null when no connection has this id. */
  update(id: string, body: unknown): Promise<ConnectionWrite | null>;
  delete(id: string): Promise<boolean>;
}

export interface ConnectionServiceDeps {
  store: ConnectionStore;
  box: SecretBox;
  /** µs since the epoch. */
  now: () => number;
  newId?: () => string;
}

/** What clients see: the names of the secrets that are set, never their values. */
function toConnection(record: ConnectionRecord): Connection {
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    settings: record.settings,
    secrets: record.secretNames,
    created: formatDateTime(record.created),
    updated: formatDateTime(record.updated),
  };
}

/**
 * Connections: stored targets (webhook URLs, Slack and Discord incoming webhooks, SMTP servers) whose
 * secrets are sealed with the secret box before they reach storage, bound to the connection's id.
 * Secrets are write-only: responses list their names; only {@link ConnectionResolver.resolve}, used by
 * the action executors, decrypts them.
 *
 * @example
 * const connections = createConnectionService({ store: storage.connections, box, now });
 * const created = await connections.create({ name: 'ops', kind: 'slack', secrets: { url } });
 * if (created.ok) await connections.resolve(created.connection.id); // { …, secrets: { url } }
 */
export function createConnectionService(deps: ConnectionServiceDeps): ConnectionService {
  const newId = deps.newId ?? randomUUID;

  function seal(id: string, content: ConnectionContent, created: number, updated: number): ConnectionRecord {
    const names = Object.keys(content.secrets).sort();
    const ordered = Object.fromEntries(names.map((name) => [name, content.secrets[name]!]));
    return {
      id,
      name: content.name,
      kind: content.kind,
      settings: content.settings,
      secretNames: names,
      sealedSecrets: deps.box.seal(JSON.stringify(ordered), id),
      created,
      updated,
    };
  }

  function open(record: ConnectionRecord): Record<string, string> {
    return JSON.parse(deps.box.open(record.sealedSecrets, record.id)) as Record<string, string>;
  }

  return {
    async create(body) {
      const parsed = parseConnectionCreate(body);
      if (!parsed.ok) return parsed;
      const now = deps.now();
      const record = seal(newId(), parsed.value, now, now);
      await deps.store.insertConnection(record);
      return { ok: true, connection: toConnection(record) };
    },

    async list() {
      return (await deps.store.listConnections()).map(toConnection);
    },

    async get(id) {
      const record = await deps.store.getConnection(id);
      return record ? toConnection(record) : null;
    },

    async update(id, body) {
      const parsed = parseConnectionPatch(body);
      const stored = await deps.store.getConnection(id);
      if (stored === null) return null;
      if (!parsed.ok) return parsed;
      const patch = parsed.value;
      const secrets = open(stored);
      for (const [key, value] of Object.entries(patch.secrets ?? {})) {
        if (value === null) delete secrets[key];
        else secrets[key] = value;
      }
      const checked = validateConnectionContent({
        name: patch.name ?? stored.name,
        kind: stored.kind,
        settings: patch.settings ?? stored.settings,
        secrets,
      });
      if (!checked.ok) return checked;
      const record = seal(id, checked.value, stored.created, Math.max(deps.now(), stored.created));
      // Deleted meanwhile: answer as if it never existed.
      if (!(await deps.store.updateConnection(record))) return null;
      return { ok: true, connection: toConnection(record) };
    },

    delete(id) {
      return deps.store.deleteConnection(id);
    },

    async resolve(id) {
      const record = await deps.store.getConnection(id);
      if (record === null) return null;
      return { id: record.id, name: record.name, kind: record.kind, settings: record.settings, secrets: open(record) };
    },
  };
}
