import { randomUUID } from 'node:crypto';
import { HeraldError, type JsonValue } from '@herald/core';
import type { Logger } from 'pino';
import type { SecretBox } from '../secrets/secret-box.js';
import type { WebhookRecord, WebhookStore } from '../storage/ports.js';
import { capturedToInbound, type CaptureRing, type CapturedRequest } from './capture-ring.js';
import type { InboundRequest } from './inbound-request.js';
import type { RateLimiter } from './rate-limiter.js';
import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS } from './signature-verifiers.js';
import { newSlug, newWebhookApiKey } from './webhook-credentials.js';
import { managementEvent, type WebhookAction } from './webhook-events.js';
import { parseWebhookInput, type InputMode, type WebhookInput } from './webhook-input.js';
import type { DryRunResult, WebhookProcessor } from './webhook-processor.js';

/** A webhook ready to serve requests: its record, its opened signing secret and its effective rate limit. */
export interface ActiveWebhook {
  record: WebhookRecord;
  signatureSecret: string | null;
  /** Requests per second; 0 means unlimited. */
  rateLimit: number;
}

/** A written webhook, and its API key when this write issued one (shown once). */
export interface WebhookWrite {
  webhook: WebhookRecord;
  apiKey: string | null;
}

/** The filter of `GET /api/webhooks` and `POST /api/webhooks/filter`. */
export interface WebhookFilter {
  names?: readonly string[];
  enabled?: boolean;
}

/** The answer of a replay: what the current template made of a captured request. */
export type ReplayResult = { outcome: 'accepted'; event_ids: string[] } | { outcome: 'failed'; reason: string; error: string };

/** What `POST /api/webhooks/{id}/preview` renders: the webhook's template or another, against a captured or supplied request. */
export interface PreviewInput {
  template?: string;
  requestId?: string;
  request?: InboundRequest;
}

export interface WebhookServiceDeps {
  store: WebhookStore;
  processor: WebhookProcessor;
  captures: CaptureRing;
  limiter: RateLimiter;
  secrets: SecretBox;
  validateTemplate: (source: string) => { ok: true } | { ok: false; line: number; message: string };
  /** Requests per second when a webhook sets none; 0 means unlimited. */
  defaultRateLimit: number;
  /** Current time in µs. */
  now: () => number;
  logger: Logger;
  /** How long a slug lookup is reused (other replicas' changes show after at most this long). Default 1000 ms. */
  slugCacheMs?: number;
}

const secretContext = (id: string) => `webhook:${id}`;

/**
 * Manages webhooks: create, read, list, update, enable and disable, rotate, delete, with an event for
 * each action emitted after its write commits; captured requests, replay and preview; and the slug
 * lookup the endpoint serves from (cached briefly, cleared at once by every local change).
 *
 * @example
 * const { webhook, apiKey } = await service.create({ name: 'ci', template, require_api_key: true });
 * await service.rotate(webhook.id, { apiKey: false });
 */
export class WebhookService {
  private readonly slugs = new Map<string, { active: ActiveWebhook | null; at: number }>();

  constructor(private readonly deps: WebhookServiceDeps) {}

  async create(body: unknown): Promise<WebhookWrite> {
    const input = this.parse(body, 'create');
    const id = randomUUID();
    const at = new Date(this.deps.now() / 1000).toISOString();
    const base: WebhookRecord = {
      id,
      name: input.name!,
      description: input.description ?? '',
      enabled: input.enabled ?? true,
      template: input.template!,
      slug: newSlug(),
      apiKeyHash: null,
      apiKeyPrefix: null,
      signature: null,
      rateLimit: input.rate_limit ?? null,
      created: at,
      updated: at,
    };
    const { record, apiKey } = this.apply(base, input);
    await this.deps.store.insertWebhook(record);
    await this.changed('created', record, { webhook: summary(record) });
    return { webhook: record, apiKey };
  }

  async get(id: string): Promise<WebhookRecord> {
    const record = await this.deps.store.getWebhook(id);
    if (record === null) throw new HeraldError('WEBHOOK_NOT_FOUND', { details: { id } });
    return record;
  }

  async list(filter: WebhookFilter = {}): Promise<WebhookRecord[]> {
    const all = await this.deps.store.listWebhooks();
    return all.filter((w) => (filter.names === undefined || filter.names.includes(w.name)) && (filter.enabled === undefined || w.enabled === filter.enabled));
  }

  /** `PUT` (`replace`: every writable field, defaults for those left out) or `PATCH` (`patch`: only those given). */
  async update(id: string, body: unknown, mode: Exclude<InputMode, 'create'>): Promise<WebhookWrite> {
    const input = this.parse(body, mode);
    const current = await this.get(id);
    const full: WebhookInput =
      mode === 'replace'
        ? // Protection (API key, signature) is kept unless named: a client that PUTs what it read must not drop it.
          { description: '', rate_limit: null, ...input }
        : input;
    const { record, apiKey } = this.apply({ ...current, updated: new Date(this.deps.now() / 1000).toISOString() }, full);
    if (!(await this.deps.store.updateWebhook(record))) throw new HeraldError('WEBHOOK_NOT_FOUND', { details: { id } });
    const changed = changedFields(current, record);
    await this.changed('updated', record, { webhook: summary(record), changed });
    return { webhook: record, apiKey };
  }

  /** Issues a new slug (the old URL stops working at once) and, with `apiKey`, a new API key. */
  async rotate(id: string, options: { apiKey: boolean }): Promise<WebhookWrite> {
    const current = await this.get(id);
    const record: WebhookRecord = { ...current, slug: newSlug(), updated: new Date(this.deps.now() / 1000).toISOString() };
    let apiKey: string | null = null;
    if (options.apiKey) {
      const issued = newWebhookApiKey();
      apiKey = issued.key;
      record.apiKeyHash = issued.hash;
      record.apiKeyPrefix = issued.prefix;
    }
    if (!(await this.deps.store.updateWebhook(record))) throw new HeraldError('WEBHOOK_NOT_FOUND', { details: { id } });
    await this.changed('rotated', record, { rotated: options.apiKey ? ['slug', 'api_key'] : ['slug'] });
    return { webhook: record, apiKey };
  }

  async remove(id: string): Promise<void> {
    const current = await this.get(id);
    this.deps.captures.forget(id);
    if (!(await this.deps.store.deleteWebhook(id))) throw new HeraldError('WEBHOOK_NOT_FOUND', { details: { id } });
    await this.changed('deleted', current, { webhook: summary(current) });
  }

  async requests(id: string, limit: number): Promise<CapturedRequest[]> {
    await this.get(id);
    return this.deps.captures.list(id, limit);
  }

  /** Re-runs a captured request through the current template; its events (or its failure event) are emitted. */
  async replay(id: string, requestId: string): Promise<ReplayResult> {
    const webhook = await this.get(id);
    const captured = await this.capturedRequest(id, requestId);
    const result = await this.deps.processor.process(webhook, capturedToInbound(captured, this.deps.now()), requestId);
    return result.ok ? { outcome: 'accepted', event_ids: result.eventIds } : { outcome: 'failed', reason: result.failure.reason, error: result.failure.error };
  }

  /** Renders without emitting anything. */
  async preview(id: string, input: PreviewInput): Promise<DryRunResult> {
    const webhook = await this.get(id);
    const request = input.request ?? capturedToInbound(await this.capturedRequest(id, input.requestId ?? ''), this.deps.now());
    return this.deps.processor.dryRun({ ...webhook, template: input.template ?? webhook.template }, request);
  }

  /** The enabled webhook with this slug, or null (unknown and disabled slugs look the same). */
  async resolveSlug(slug: string): Promise<ActiveWebhook | null> {
    const now = Date.now();
    const cached = this.slugs.get(slug);
    if (cached !== undefined && now - cached.at < (this.deps.slugCacheMs ?? 1000)) return cached.active;
    const record = await this.deps.store.findWebhookBySlug(slug);
    const active =
      record === null || !record.enabled
        ? null
        : {
            record,
            signatureSecret: record.signature === null ? null : this.deps.secrets.open(record.signature.sealedSecret, secretContext(record.id)),
            rateLimit: record.rateLimit ?? this.deps.defaultRateLimit,
          };
    // Unknown slugs are not cached: a flood of made-up ones must not grow memory.
    if (active !== null) this.slugs.set(slug, { active, at: now });
    return active;
  }

  private async capturedRequest(id: string, requestId: string): Promise<CapturedRequest> {
    const captured = await this.deps.captures.get(id, requestId);
    if (captured === null) throw new HeraldError('WEBHOOK_REQUEST_NOT_FOUND', { details: { id: requestId } });
    if (captured.body_truncated) {
      throw new HeraldError('WEBHOOK_INVALID', { message: 'The captured body was truncated, so the request cannot be re-run.', details: { id: requestId } });
    }
    return captured;
  }

  private parse(body: unknown, mode: InputMode): WebhookInput {
    const parsed = parseWebhookInput(body, mode);
    if (!parsed.ok) throw new HeraldError('WEBHOOK_INVALID', { details: { issues: parsed.issues } });
    if (parsed.input.template !== undefined) {
      const check = this.deps.validateTemplate(parsed.input.template);
      if (!check.ok) throw new HeraldError('TEMPLATE_INVALID', { message: `The template is invalid: ${check.message}`, details: { line: check.line, message: check.message } });
    }
    return parsed.input;
  }

  /** The record with the input's fields applied, issuing an API key when one becomes required. */
  private apply(current: WebhookRecord, input: WebhookInput): { record: WebhookRecord; apiKey: string | null } {
    const record: WebhookRecord = { ...current };
    if (input.name !== undefined) record.name = input.name;
    if (input.description !== undefined) record.description = input.description;
    if (input.enabled !== undefined) record.enabled = input.enabled;
    if (input.template !== undefined) record.template = input.template;
    if (input.rate_limit !== undefined) record.rateLimit = input.rate_limit;
    let apiKey: string | null = null;
    if (input.require_api_key === false) {
      record.apiKeyHash = null;
      record.apiKeyPrefix = null;
    } else if (input.require_api_key === true && record.apiKeyHash === null) {
      const issued = newWebhookApiKey();
      apiKey = issued.key;
      record.apiKeyHash = issued.hash;
      record.apiKeyPrefix = issued.prefix;
    }
    if (input.signature === null) record.signature = null;
    else if (input.signature !== undefined) {
      const { preset, secret, tolerance_seconds } = input.signature;
      const kept = current.signature?.preset === preset ? current.signature.sealedSecret : null;
      if (secret === undefined && kept === null) {
        throw new HeraldError('WEBHOOK_INVALID', {
          details: { issues: [{ pointer: '/signature/secret', path: ['signature', 'secret'], type: 'missing', message: 'A new signature preset needs its secret' }] },
        });
      }
      record.signature = {
        preset,
        sealedSecret: secret === undefined ? kept! : this.deps.secrets.seal(secret, secretContext(record.id)),
        toleranceSeconds: tolerance_seconds ?? current.signature?.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
      };
    }
    return { record, apiKey };
  }

  private async changed(action: WebhookAction, record: WebhookRecord, payload: Record<string, JsonValue>): Promise<void> {
    this.slugs.clear();
    this.deps.limiter.forget(record.id);
    try {
      await this.deps.processor.emit(managementEvent(action, record, payload, this.deps.now()));
    } catch (error) {
      // The write has committed; failing the request now would invite a retry that repeats it.
      this.deps.logger.error({ err: error, webhookId: record.id, action }, 'could not emit the webhook management event');
    }
  }
}

/** A webhook described without its slug or any secret, for events. */
function summary(record: WebhookRecord): Record<string, JsonValue> {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    enabled: record.enabled,
    template: record.template,
    require_api_key: record.apiKeyHash !== null,
    signature: record.signature === null ? null : { preset: record.signature.preset, tolerance_seconds: record.signature.toleranceSeconds },
    rate_limit: record.rateLimit,
  };
}

function changedFields(before: WebhookRecord, after: WebhookRecord): string[] {
  const a = summary(before);
  const b = summary(after);
  const changed = Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  if (before.signature?.sealedSecret !== after.signature?.sealedSecret && after.signature !== null && !changed.includes('signature')) changed.push('signature');
  return changed;
}
