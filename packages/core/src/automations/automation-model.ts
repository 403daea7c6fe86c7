import type { JsonValue, ReceivedEvent } from '../event.js';
import type { ResourceSpecification } from '../filter.js';

/**
 * The automation model: Prefect's wire shapes (spec `automations.md` §1.1, Appendix B) plus Herald's
 * own actions. Durations are float seconds on the wire and in these types.
 */

export type Posture = 'Reactive' | 'Proactive';

export interface EventTrigger {
  type: 'event';
  id: string;
  match: ResourceSpecification;
  /** A single spec or a list of specs; each must be satisfied by some related resource. */
  match_related: ResourceSpecification | ResourceSpecification[];
  /** Sets: duplicates collapse; order carries no meaning. */
  after: string[];
  expect: string[];
  for_each: string[];
  posture: Posture;
  threshold: number;
  /** Seconds. Reactive ≥ 0 (0 = immediate); Proactive ≥ 10. */
  within: number;
}

export interface CompoundTrigger {
  type: 'compound';
  id: string;
  triggers: Trigger[];
  require: 'any' | 'all' | number;
  /** Seconds between the first and last child firing (event time), or null for unbounded. */
  within: number | null;
}

export interface SequenceTrigger {
  type: 'sequence';
  id: string;
  triggers: Trigger[];
  within: number | null;
}

export type Trigger = EventTrigger | CompoundTrigger | SequenceTrigger;
export type CompositeTrigger = CompoundTrigger | SequenceTrigger;

/** Selects an automation explicitly, or infers it from the triggering event's `herald.automation.<id>` resources. */
export type AutomationTarget = { source: 'selected'; automation_id: string } | { source: 'inferred'; automation_id: null };

export type Action =
  | { type: 'do-nothing' }
  /** `block_document_id` names a webhook connection. `payload` is a Jinja template sent verbatim as the body. */
  | { type: 'call-webhook'; block_document_id: string; payload: string }
  /** `block_document_id` names a notification connection (slack, discord, webhook, email). */
  | { type: 'send-notification'; block_document_id: string; subject: string; body: string }
  | ({ type: 'pause-automation' } & AutomationTarget)
  | ({ type: 'resume-automation' } & AutomationTarget)
  /** Herald's own: emits the rendered event through the normal ingest path. `event` is a Jinja template of a JSON event. */
  | { type: 'emit-event'; event: string };

export type ActionType = Action['type'];

/** What a client sends on create (`owner_resource` only here) and, without it, on PUT. */
export interface AutomationInput {
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  trigger: Trigger;
  actions: Action[];
  actions_on_trigger: Action[];
  actions_on_resolve: Action[];
}

/** A stored automation, as `GET /api/automations/{id}` returns it. */
export interface Automation extends AutomationInput {
  id: string;
  /** ISO-8601 UTC, microsecond precision. */
  created: string;
  updated: string;
}

/** `POST /api/automations/filter` body, after parsing. */
export interface AutomationFilter {
  operator: 'and_' | 'or_';
  name?: { any_: string[] };
  created?: { before_: string };
  tags?: { operator: 'and_' | 'or_'; all_?: string[]; any_?: string[]; is_null_?: boolean };
}

export type AutomationSort = 'CREATED_DESC' | 'UPDATED_DESC' | 'NAME_ASC' | 'NAME_DESC';

export type TriggerState = 'Triggered' | 'Resolved';

/** One firing of a trigger (Appendix B). `triggered` is event time (DECISIONS 12), ISO-8601. */
export interface Firing {
  id: string;
  trigger: Trigger;
  trigger_states: TriggerState[];
  triggered: string;
  triggering_labels: Record<string, string>;
  triggering_firings: Firing[];
  triggering_event: ReceivedEvent | null;
  triggering_value: JsonValue;
}

/** A connection: a stored target holding secrets (Prefect's block document). Secrets are never returned. */
export type ConnectionKind = 'webhook' | 'slack' | 'discord' | 'email';

export interface Connection {
  id: string;
  name: string;
  kind: ConnectionKind;
  /** Non-secret settings, e.g. `{ method: 'POST' }` or `{ from, to: [...], host, port }`. */
  settings: Record<string, JsonValue>;
  /** Names of the secret fields that are set (their values are never returned). */
  secrets: string[];
  created: string;
  updated: string;
}
