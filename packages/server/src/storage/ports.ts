import type { Automation, ConnectionKind, JsonValue, NormalizedEventFilter, ReceivedEvent } from '@herald/core';

/**
 * An event ready to be stored: the received event, its parsed times and its canonical JSON
 * (`serializeEvent`), computed once on ingest and stored as-is.
 */
export interface EventRecord {
  event: ReceivedEvent;
  /** `occurred` in microseconds since the epoch (UTC). */
  occurred: number;
  /** `received` in microseconds since the epoch (UTC). */
  received: number;
  /** Canonical JSON of the received event; what every read returns byte for byte. */
  json: string;
}

/** What happened to each appended event, in input order. */
export type AppendResult = 'inserted' | 'duplicate' | 'conflict';

export interface AppendOutcome {
  /** One entry per input record. `duplicate`: same id and same content already stored (or earlier in this batch); `conflict`: same id, different content (the first write wins). */
  results: AppendResult[];
  /** One entry per input record: the `seq` assigned to an inserted record, or 0 when nothing was inserted. */
  seqs: number[];
  /** The highest sequence number after this append (the log position). */
  lastSeq: number;
}

/** A keyset position: the (occurred, seq) of the last event of the previous page. */
export interface EventCursor {
  occurred: number;
  seq: number;
}

/** One stored event as read back: its canonical JSON and its keyset position. */
export interface StoredEvent {
  json: string;
  occurred: number;
  seq: number;
}

export interface EventPageQuery {
  filter: NormalizedEventFilter;
  limit: number;
  /** Exclusive: return events strictly after this position in `filter.order`. */
  after?: EventCursor;
}

export interface TimeBucketCount {
  /** Absolute bucket index: floor((occurred - pivot) / delta). */
  bucket: number;
  count: number;
}

export interface GroupCount {
  /** The event name (`countByEvent`) or primary resource id (`countByResource`). */
  value: string;
  /** For resources: `prefect.resource.name`, else `prefect.name`, else the id, from the newest event. */
  label: string;
  count: number;
  /** min(occurred), µs. */
  first: number;
  /** max(occurred), µs. */
  last: number;
}

/**
 * The one storage contract for events. Implemented by SQLite (the default) and PostgreSQL, and tested
 * by one contract suite against both. Every method honours the whole {@link NormalizedEventFilter},
 * with the same semantics as the in-memory matcher (`domain/event-matcher.ts`).
 */
export interface EventStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Appends a batch in one transaction. Resolves only after the commit is durable. First write of an id wins. */
  append(records: EventRecord[]): Promise<AppendOutcome>;
  /** One page, ordered by (occurred, seq) in `filter.order`. With `filter.distinct`, only the newest (DESC) or oldest (ASC) event per primary resource id. */
  page(query: EventPageQuery): Promise<StoredEvent[]>;
  /** Number of matching events, or of distinct primary resource ids when `filter.distinct`. */
  count(filter: NormalizedEventFilter): Promise<number>;
  /** Counts per time bucket of width `delta` µs on the grid anchored at `pivot` µs. Empty buckets are omitted. */
  countByTime(filter: NormalizedEventFilter, grid: { pivot: number; delta: number }): Promise<TimeBucketCount[]>;
  /** Counts per event name, ordered by count desc, then value asc. */
  countByEvent(filter: NormalizedEventFilter): Promise<GroupCount[]>;
  /** Counts per primary resource id, ordered by count desc, then label asc. */
  countByResource(filter: NormalizedEventFilter): Promise<GroupCount[]>;
  /** The event with this id (canonical lower-case UUID), or null. */
  get(id: string): Promise<StoredEvent | null>;
  /** Events in log order with seq > `afterSeq`, at most `limit`: how consumers catch up after a restart. */
  readLog(afterSeq: number, limit: number): Promise<{ seq: number; json: string }[]>;
  /** The highest sequence number stored (0 when empty). */
  lastSeq(): Promise<number>;
  /** Removes events with occurred < cutoff µs (retention). Returns how many events were removed. */
  purgeBefore(cutoff: number): Promise<number>;
  /** Bytes used on disk by the event data (for the metrics endpoint). */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

/** Hashed API keys. The plain key is never stored. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** Short non-secret prefix shown in listings, e.g. `hk_3f9a`. */
  prefix: string;
  /** SHA-256 hex of the whole key. */
  hash: string;
  created: string;
  lastUsed: string | null;
  revoked: string | null;
}

export interface ApiKeyStore {
  insertKey(record: ApiKeyRecord): Promise<void>;
  listKeys(): Promise<ApiKeyRecord[]>;
  findKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  revokeKey(id: string, at: string): Promise<boolean>;
  touchKey(id: string, at: string): Promise<void>;
}

/** A link from an automation to a resource (spec §1.3); `owned` relations are never downgraded. */
export interface AutomationRelation {
  resourceId: string;
  owned: boolean;
}

/**
 * Automations, stored as their wire JSON (`Automation`) with the columns listings need, and their
 * resource relations. Automations are few: callers list them all and filter in memory.
 */
export interface AutomationStore {
  /** Inserts a new automation and its relations in one transaction. */
  insertAutomation(automation: Automation, relations: readonly AutomationRelation[]): Promise<void>;
  /** Replaces a stored automation (same id). False when no automation has this id. */
  updateAutomation(automation: Automation): Promise<boolean>;
  getAutomation(id: string): Promise<Automation | null>;
  /** Every automation, ordered by (created, id). */
  listAutomations(): Promise<Automation[]>;
  countAutomations(): Promise<number>;
  /** Deletes an automation and its relations in one transaction. False when no automation has this id. */
  deleteAutomation(id: string): Promise<boolean>;
  /** Automations with a relation (owned or not) to the resource, in the order the relations were made. */
  automationsRelatedTo(resourceId: string): Promise<Automation[]>;
  /** The relations of one automation, in the order they were made. */
  automationRelations(id: string): Promise<AutomationRelation[]>;
  /** Deletes the automations owned by the resource and created at or before `createdAtOrBefore` µs; returns their ids. */
  deleteAutomationsOwnedBy(resourceId: string, createdAtOrBefore: number): Promise<string[]>;
}

/** A stored connection. Secrets are sealed by the secret box; only their names are kept in clear. */
export interface ConnectionRecord {
  id: string;
  name: string;
  kind: ConnectionKind;
  settings: Record<string, JsonValue>;
  /** Names of the secrets that are set, sorted. */
  secretNames: string[];
  /** The secrets object, sealed (`SecretBox.seal`). */
  sealedSecrets: string;
  /** µs since the epoch. */
  created: number;
  updated: number;
}

export interface ConnectionStore {
  insertConnection(record: ConnectionRecord): Promise<void>;
  /** Replaces a stored connection (same id). False when no connection has this id. */
  updateConnection(record: ConnectionRecord): Promise<boolean>;
  getConnection(id: string): Promise<ConnectionRecord | null>;
  /** Every connection, ordered by (created, id). */
  listConnections(): Promise<ConnectionRecord[]>;
  deleteConnection(id: string): Promise<boolean>;
}

/** The signature schemes a webhook can require of its callers. */
export type WebhookSignaturePreset = 'standard-webhooks' | 'github' | 'stripe';

/** A stored webhook. The API key is kept as its SHA-256; the signing secret sealed by the secret box. */
export interface WebhookRecord {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  /** Jinja source. */
  template: string;
  /** 22 base64url characters (128 random bits): the capability in `/hooks/{slug}`. */
  slug: string;
  /** SHA-256 hex of the webhook's own API key, or null when callers need none. */
  apiKeyHash: string | null;
  /** Short non-secret prefix of that key, for listings. */
  apiKeyPrefix: string | null;
  signature: { preset: WebhookSignaturePreset; sealedSecret: string; toleranceSeconds: number } | null;
  /** Requests per second; null uses the server's default. */
  rateLimit: number | null;
  /** ISO times. */
  created: string;
  updated: string;
}

/** One captured request of a webhook, as JSON text (`record`), with the columns reads need. */
export interface CapturedRequestRow {
  id: string;
  webhookId: string;
  /** µs since the epoch. */
  received: number;
  record: string;
}

export interface WebhookStore {
  insertWebhook(record: WebhookRecord): Promise<void>;
  /** Replaces a stored webhook (same id). False when no webhook has this id. */
  updateWebhook(record: WebhookRecord): Promise<boolean>;
  /** Deletes a webhook and its captured requests. False when no webhook has this id. */
  deleteWebhook(id: string): Promise<boolean>;
  getWebhook(id: string): Promise<WebhookRecord | null>;
  findWebhookBySlug(slug: string): Promise<WebhookRecord | null>;
  /** Every webhook, ordered by (created, id). */
  listWebhooks(): Promise<WebhookRecord[]>;
  /** Stores captured requests, then keeps only the newest `keep` of each webhook they belong to. */
  appendCapturedRequests(rows: readonly CapturedRequestRow[], keep: number): Promise<void>;
  /** A webhook's captured requests, newest first. */
  listCapturedRequests(webhookId: string, limit: number): Promise<CapturedRequestRow[]>;
  getCapturedRequest(webhookId: string, id: string): Promise<CapturedRequestRow | null>;
}

/** A storage backend: the event store and the small tables beside it, opened and migrated together. */
export interface Storage {
  events: EventStore;
  keys: ApiKeyStore;
  automations: AutomationStore;
  connections: ConnectionStore;
  webhooks: WebhookStore;
  close(): Promise<void>;
}
