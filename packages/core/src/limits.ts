/** The configurable limits on one event. Defaults are Prefect's. */
export interface EventLimits {
  /** Maximum labels per resource, counting `prefect.resource.id` and `prefect.resource.role`. */
  maxLabelsPerResource: number;
  /** Maximum length of `related`. */
  maxRelatedResources: number;
  /** Maximum size of the received event's UTF-8 JSON, in bytes. */
  maxEventBytes: number;
  /** Maximum characters in the event name. */
  maxEventNameLength: number;
  /** Maximum nesting depth of the payload. Deeper payloads are refused rather than risking the stack. */
  maxPayloadDepth: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = Object.freeze({
  maxLabelsPerResource: 500,
  maxRelatedResources: 100,
  maxEventBytes: 1_500_000,
  maxEventNameLength: 1024,
  maxPayloadDepth: 256,
});
