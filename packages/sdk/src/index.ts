export type {
  ActionInput,
  AutomationCreateBody,
  AutomationFilterOptions,
  AutomationInputBody,
  AutomationsApi,
  AutomationTrace,
  AutomationTraceEntry,
  CompositeTriggerInput,
  DurationInput,
  EventTriggerInput,
  TemplateCheck,
  TriggerInput,
} from './automations-api.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { normalizeBaseUrl, type HeraldClientOptions } from './client-options.js';
export type { ConnectionCreateBody, ConnectionPatchBody, ConnectionsApi } from './connections-api.js';
export { emitEvent, getDefaultClient } from './default-client.js';
export type {
  CapturedWebhookRequest,
  Webhook,
  WebhookBody,
  WebhookPreview,
  WebhookPreviewBody,
  WebhookReplay,
  WebhooksApi,
  WebhookSignaturePreset,
} from './webhooks-api.js';
export { createErrorReporter, type ErrorReporterOptions } from './error-reporter.js';
export type { EmitReceipt, EmitResult } from './event-sender.js';
export { EventSubscription, type SubscribeOptions } from './event-subscription.js';
export { HeraldApiError, HeraldClientError, parseApiError, type ApiIssue, type ClientErrorCode } from './herald-api-error.js';
export {
  createHeraldClient,
  type Countable,
  type CountByOptions,
  type EventCount,
  type EventPage,
  type HeraldClient,
  type QueryOptions,
  type TimeUnit,
} from './herald-client.js';
export type { EmitEventInput } from './prepare-event.js';
export type { EventFilterInput, ReceivedEvent, Event, Resource, RelatedResource, JsonValue } from '@herald/core';
export type { Automation, AutomationFilter, AutomationSort, Action, Trigger, Connection, ConnectionKind } from '@herald/core';
