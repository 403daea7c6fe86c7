import type { CaptureResult, CaptureRing } from './capture-ring.js';
import type { InboundRequest } from './inbound-request.js';
import { verifySignature, type SignatureFailure } from './signature-verifiers.js';
import { bearerMatches } from './webhook-credentials.js';
import type { WebhookFailure } from './webhook-events.js';
import type { WebhookProcessor } from './webhook-processor.js';
import type { ActiveWebhook } from './webhook-service.js';

/** What `/hooks/{slug}` answers. Bodies are deliberately terse: a short reason at most (spec A9). */
export type EndpointResponse =
  | { status: 204 }
  | { status: 200; headers: Record<string, string>; json: unknown }
  | { status: 400 | 401; reason: string; headers: Record<string, string> };

export interface WebhookEndpointDeps {
  processor: WebhookProcessor;
  captures: CaptureRing;
}

/** How a refused signature is described to the caller and in `herald.webhook.failed`. */
const SIGNATURE_PROBLEMS: Record<SignatureFailure, string> = {
  missing: 'is missing',
  malformed: 'is malformed',
  stale: 'is stale: its timestamp is outside the tolerance',
  mismatch: 'does not match (another secret, or an altered request)',
};

/** Azure Event Grid's validation event, in its own (non-CloudEvents) schema. */
function eventGridValidationCode(request: InboundRequest): string | null {
  if ((request.headers['aeg-event-type'] ?? '').toLowerCase() !== 'subscriptionvalidation') return null;
  try {
    const body = JSON.parse(request.body.toString('utf8')) as unknown;
    const first = (Array.isArray(body) ? body[0] : body) as { data?: { validationCode?: unknown } } | undefined;
    const code = first?.data?.validationCode;
    return typeof code === 'string' && code.length > 0 && code.length <= 256 ? code : null;
  } catch {
    return null;
  }
}

/**
 * Serves one request to an enabled webhook (the route has already resolved the slug, applied the rate
 * limit and the size cap): the Azure Event Grid validation handshakes, then the webhook's API key, then
 * its signature, all before anything is parsed or rendered; then the template. Every request is
 * captured with its outcome.
 *
 * - CloudEvents webhook validation (`OPTIONS` with `WebHook-Request-Origin`, the handshake Event Grid
 *   uses for the CloudEvents schema): 200 with `WebHook-Allowed-Origin`.
 * - Event Grid schema (`aeg-event-type: SubscriptionValidation`): 200 `{"validationResponse": code}`.
 *
 * @example
 * const response = await endpoint.handle(active, request);
 */
export class WebhookEndpoint {
  constructor(private readonly deps: WebhookEndpointDeps) {}

  async handle(active: ActiveWebhook, request: InboundRequest): Promise<EndpointResponse> {
    const { record } = active;
    const requestId = this.deps.captures.newId();
    const capture = (result: CaptureResult) => this.deps.captures.record(record.id, request, result, requestId);

    const origin = request.headers['webhook-request-origin'];
    if (request.method === 'OPTIONS') {
      if (origin === undefined) return { status: 400, reason: 'OPTIONS is only for the CloudEvents validation handshake', headers: {} };
      capture({ outcome: 'handshake', status: 200, eventIds: [], reason: null, error: null });
      return { status: 200, headers: { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*' }, json: undefined };
    }
    const validationCode = eventGridValidationCode(request);
    if (validationCode !== null) {
      capture({ outcome: 'handshake', status: 200, eventIds: [], reason: null, error: null });
      return { status: 200, headers: {}, json: { validationResponse: validationCode } };
    }

    const refusal = this.authenticate(active, request);
    if (refusal !== null) {
      capture({ outcome: 'unauthorized', status: 401, eventIds: [], reason: refusal.reason, error: refusal.error });
      await this.deps.processor.fail(record, request, refusal, null, requestId);
      const headers: Record<string, string> = refusal.reason === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {};
      return { status: 401, reason: refusal.error, headers };
    }

    const result = await this.deps.processor.process(record, request, requestId);
    if (result.ok) {
      capture({ outcome: 'accepted', status: 204, eventIds: result.eventIds, reason: null, error: null });
      return { status: 204 };
    }
    capture({ outcome: 'failed', status: 400, eventIds: [], reason: result.failure.reason, error: result.failure.error });
    return { status: 400, reason: result.failure.error, headers: {} };
  }

  private authenticate(active: ActiveWebhook, request: InboundRequest): WebhookFailure | null {
    const { record } = active;
    if (record.apiKeyHash !== null && !bearerMatches(request.headers.authorization, record.apiKeyHash)) {
      return { reason: 'unauthorized', error: 'a valid API key is required (Authorization: Bearer <key>)' };
    }
    if (record.signature !== null && active.signatureSecret !== null) {
      const check = verifySignature({
        preset: record.signature.preset,
        secret: active.signatureSecret,
        toleranceSeconds: record.signature.toleranceSeconds,
        headers: request.headers,
        body: request.body,
        nowSeconds: request.received / 1e6,
      });
      if (!check.ok) return { reason: 'signature', error: `the ${record.signature.preset} signature ${SIGNATURE_PROBLEMS[check.failure]}` };
    }
    return null;
  }
}
