import type { ConnectionKind, RelatedResource } from '@herald/core';
import { connectionResource, permanentFailure, type ActionContext, type ActionOutcome } from './action-job.js';
import type { ResolvedConnection } from '../../connections/connection-service.js';
import { judgeHttpResult, type HttpVerdict } from './http-outcome.js';
import { sendSafeHttpRequest } from './safe-http.js';
import { signStandardWebhook } from './standard-webhooks.js';

/** A connection of an expected kind, or the outcome that ends the action. */
export type LoadedConnection =
  { ok: true; connection: ResolvedConnection; related: RelatedResource[] } | { ok: false; outcome: ActionOutcome };

/**
 * Loads `id` and checks its kind. Unknown id or wrong kind fail at once; a resolver that throws
 * (storage briefly down) is retryable.
 *
 * @example
 * const loaded = await loadConnection(ctx, action.block_document_id, ['webhook'], 'a webhook connection');
 */
export async function loadConnection(
  ctx: ActionContext,
  id: string,
  kinds: readonly ConnectionKind[],
  what: string,
): Promise<LoadedConnection> {
  let connection: ResolvedConnection | null;
  try {
    connection = await ctx.deps.connections.resolve(id);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      outcome: { status: 'failed', reason: `The connection could not be loaded: ${message}`, details: {}, related: [], retryAfterMs: 0 },
    };
  }
  if (connection === null) return { ok: false, outcome: permanentFailure(`The connection ${id} does not exist`) };
  const related = [connectionResource(connection)];
  if (!kinds.includes(connection.kind)) {
    return {
      ok: false,
      outcome: permanentFailure(`The referenced connection is not ${what}`, related, { connection_kind: connection.kind }),
    };
  }
  return { ok: true, connection, related };
}

/** Where and how an HTTP connection sends: its URL, method, headers and optional signing secret. */
export interface HttpTarget {
  url: string;
  method: string;
  headers: Record<string, string>;
  signingSecret: string | null;
  allowPrivateNetwork: boolean;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads the HTTP target of a `webhook`, `slack` or `discord` connection. `headers` is a secret
 * holding a JSON object of strings.
 *
 * @example
 * httpTarget({ …, kind: 'webhook', settings: { method: 'PUT' }, secrets: { url: 'https://x.example/h' } })
 * // { ok: true, target: { url: 'https://x.example/h', method: 'PUT', headers: {}, signingSecret: null, allowPrivateNetwork: false } }
 */
export function httpTarget(
  connection: ResolvedConnection,
  defaultMethod = 'POST',
): { ok: true; target: HttpTarget } | { ok: false; problem: string } {
  const url = connection.secrets.url;
  if (!url) return { ok: false, problem: 'it has no url' };
  const rawMethod = connection.settings.method;
  const method = typeof rawMethod === 'string' && rawMethod !== '' ? rawMethod.toUpperCase() : defaultMethod;
  if (!METHODS.has(method)) return { ok: false, problem: `its method ${method} is not one of GET, POST, PUT, PATCH, DELETE` };
  let headers: Record<string, string> = {};
  if (connection.secrets.headers) {
    try {
      const parsed: unknown = JSON.parse(connection.secrets.headers);
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        Array.isArray(parsed) ||
        Object.values(parsed).some((v) => typeof v !== 'string')
      ) {
        return { ok: false, problem: 'its headers are not a JSON object of strings' };
      }
      headers = parsed as Record<string, string>;
    } catch {
      return { ok: false, problem: 'its headers are not valid JSON' };
    }
  }
  return {
    ok: true,
    target: {
      url,
      method,
      headers,
      signingSecret: connection.secrets.signing_secret || null,
      allowPrivateNetwork: connection.settings.allow_private_network === true,
    },
  };
}

/**
 * Sends `body` to the target through the SSRF-safe client, signed (Standard Webhooks, with the job id
 * as `webhook-id`) when the target has a secret, and judges the answer.
 *
 * @example
 * const verdict = await sendToTarget(ctx, target, '{"hello":"world"}', { 'content-type': 'application/json' });
 */
export async function sendToTarget(
  ctx: ActionContext,
  target: HttpTarget,
  body: string,
  extraHeaders: Record<string, string> = {},
): Promise<HttpVerdict> {
  const headers: Record<string, string> = { 'user-agent': 'Herald', ...extraHeaders, ...target.headers };
  if (target.signingSecret !== null) {
    const timestamp = Math.floor(ctx.deps.now() / 1e6);
    Object.assign(headers, signStandardWebhook({ id: ctx.job.id, timestamp, body }, target.signingSecret));
  }
  const result = await sendSafeHttpRequest(
    { url: target.url, method: target.method, headers, body },
    { allowPrivateNetworks: ctx.deps.http.allowPrivateNetworks || target.allowPrivateNetwork, timeoutMs: ctx.deps.http.timeoutMs },
  );
  return judgeHttpResult(result, ctx.deps.now() / 1000);
}
