import type { Connection, ConnectionKind, JsonValue } from '@herald/core';
import { HeraldApiError } from './herald-api-error.js';
import type { HttpTransport } from './http-transport.js';

/** A new connection. Secrets are write-only: the server stores them encrypted and never returns them. */
export interface ConnectionCreateBody {
  name: string;
  kind: ConnectionKind;
  /** webhook: `{method, allow_private_network?}`; email: `{host, port, secure, from, to}`. */
  settings?: Record<string, JsonValue>;
  /** webhook: `{url, headers?, signing_secret?}`; slack, discord: `{url}`; email: `{username?, password?}`. */
  secrets?: Record<string, string>;
}

/** A change: `settings` replace the stored ones, `secrets` are merged (null removes one). */
export interface ConnectionPatchBody {
  name?: string;
  settings?: Record<string, JsonValue>;
  secrets?: Record<string, string | null>;
}

/** `client.connections`: the targets that `call-webhook` and `send-notification` name by id. */
export interface ConnectionsApi {
  /**
   * Creates a connection.
   *
   * @example
   * const slack = await client.connections.create({ name: 'ops', kind: 'slack', secrets: { url: process.env.SLACK_URL! } });
   */
  create(body: ConnectionCreateBody): Promise<Connection>;
  list(): Promise<Connection[]>;
  /** One connection, or null when no connection has this id. */
  get(id: string): Promise<Connection | null>;
  /**
   * Changes a connection.
   *
   * @example
   * await client.connections.update(id, { secrets: { url: newUrl } });
   */
  update(id: string, body: ConnectionPatchBody): Promise<Connection>;
  delete(id: string): Promise<void>;
}

const path = (id: string) => `/api/connections/${encodeURIComponent(id)}`;

/**
 * Builds `client.connections` over the client's HTTP transport.
 *
 * @example
 * const connections = createConnectionsApi(http);
 */
export function createConnectionsApi(http: HttpTransport): ConnectionsApi {
  return {
    create: (body) => http.request<Connection>('POST', '/api/connections', body),
    list: () => http.request<Connection[]>('GET', '/api/connections'),
    async get(id) {
      try {
        return await http.request<Connection>('GET', path(id));
      } catch (error) {
        if (error instanceof HeraldApiError && error.status === 404) return null;
        throw error;
      }
    },
    update: (id, body) => http.request<Connection>('PATCH', path(id), body),
    delete: (id) => http.request<void>('DELETE', path(id)),
  };
}
