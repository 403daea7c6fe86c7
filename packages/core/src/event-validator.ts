import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDateTime } from './datetime.js';
import { toPointer, type ValidationIssue } from './errors.js';
import { RESOURCE_ID_LABEL, RESOURCE_ROLE_LABEL, type Event } from './event.js';
import { isUuid } from './ids.js';
import type { EventLimits } from './limits.js';

/**
 * The JSON Schema of an inbound event under the given limits. Unknown top-level keys are allowed and
 * ignored, as in Prefect.
 */
export function eventJsonSchema(limits: EventLimits): Record<string, unknown> {
  const labels = (requiredLabels: string[]) => ({
    type: 'object',
    required: requiredLabels,
    additionalProperties: { type: 'string' },
    maxProperties: limits.maxLabelsPerResource,
    properties: Object.fromEntries(requiredLabels.map((l) => [l, { type: 'string', minLength: 1 }])),
  });
  return {
    type: 'object',
    required: ['occurred', 'event', 'resource', 'id'],
    properties: {
      occurred: { type: 'string', format: 'herald-date-time' },
      event: { type: 'string', maxLength: limits.maxEventNameLength },
      resource: labels([RESOURCE_ID_LABEL]),
      related: { type: 'array', maxItems: limits.maxRelatedResources, items: labels([RESOURCE_ID_LABEL, RESOURCE_ROLE_LABEL]) },
      payload: { type: 'object' },
      id: { type: 'string', format: 'herald-uuid' },
      follows: { type: ['string', 'null'], format: 'herald-uuid' },
    },
  };
}

/** Creates the Ajv instance Herald uses, with its own date-time and UUID formats. */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
  ajv.addFormat('herald-date-time', { type: 'string', validate: (s: string) => parseDateTime(s) !== null });
  ajv.addFormat('herald-uuid', { type: 'string', validate: isUuid });
  return ajv;
}

/** The result of validating one event: the typed event, or the issues found. */
export type EventValidation = { ok: true; event: Event } | { ok: false; issues: ValidationIssue[] };

/** Validates events one at a time. Created once per set of limits: the schema is compiled here. */
export interface EventValidator {
  /**
   * Validates one event. `basePath` prefixes every issue's location, e.g. `[3]` for the fourth event
   * of a batch.
   */
  validate(input: unknown, basePath?: (string | number)[]): EventValidation;
}

/**
 * Compiles a validator for the given limits.
 *
 * @example
 * const validator = createEventValidator(DEFAULT_EVENT_LIMITS);
 * const result = validator.validate(body[0], [0]);
 * if (!result.ok) console.log(result.issues[0].pointer); // '/0/resource'
 */
export function createEventValidator(limits: EventLimits): EventValidator {
  const check: ValidateFunction = createAjv().compile(eventJsonSchema(limits));
  return {
    validate(input, basePath = []) {
      if (check(input)) {
        const event = input as Event & Record<string, unknown>;
        const depthIssue = payloadDepthIssue(event.payload, limits.maxPayloadDepth, basePath);
        if (depthIssue) return { ok: false, issues: [depthIssue] };
        return { ok: true, event };
      }
      return { ok: false, issues: dedupe((check.errors ?? []).map((e) => toIssue(e, basePath, limits))) };
    },
  };
}

function payloadDepthIssue(payload: unknown, maxDepth: number, basePath: (string | number)[]): ValidationIssue | null {
  if (!depthExceeds(payload, maxDepth)) return null;
  const path = [...basePath, 'payload'];
  return { pointer: toPointer(path), path, type: 'payload_too_deep', message: `The payload may nest at most ${maxDepth} levels` };
}

function depthExceeds(value: unknown, maxDepth: number): boolean {
  // Iterative, so that a hostile payload cannot exhaust the stack; two parallel stacks of the objects
  // still to visit and their depths, so that a payload costs no allocation per node.
  const objects: object[] = [];
  const depths: number[] = [];
  const visit = (child: unknown, depth: number) => {
    if (child === null || typeof child !== 'object') return;
    objects.push(child);
    depths.push(depth);
  };
  visit(value, 1);
  while (objects.length > 0) {
    const object = objects.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    if (Array.isArray(object)) for (const child of object as unknown[]) visit(child, depth + 1);
    else for (const key in object) if (Object.hasOwn(object, key)) visit((object as Record<string, unknown>)[key], depth + 1);
  }
  return false;
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = i.pointer + '\0' + i.type;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const TYPE_NAMES: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  object: ['dict_type', 'Input should be a valid dictionary'],
  array: ['list_type', 'Input should be a valid list'],
};

function toIssue(error: ErrorObject, basePath: (string | number)[], limits: EventLimits): ValidationIssue {
  const segments: (string | number)[] = decodePointer(error.instancePath).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const path = [...basePath, ...segments];
  const inRelated = segments[0] === 'related';
  const make = (type: string, message: string, extra: (string | number)[] = []): ValidationIssue => {
    const full = [...path, ...extra];
    return { pointer: toPointer(full), path: full, type, message };
  };
  switch (error.keyword) {
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      if (missing === RESOURCE_ID_LABEL) {
        return make('missing', inRelated ? 'Related Resources must include the prefect.resource.id label' : 'Resources must include the prefect.resource.id label', [missing]);
      }
      if (missing === RESOURCE_ROLE_LABEL) {
        return make('missing', 'Related Resources must include the prefect.resource.role label', [missing]);
      }
      return make('missing', 'Field required', [missing]);
    }
    case 'type': {
      const expected = String((error.params as { type: string | string[] }).type);
      const [type, message] = TYPE_NAMES[expected] ?? (expected.includes('null') ? ['uuid_type', 'Input should be a valid UUID or null'] : ['type_error', `Input should be of type ${expected}`]);
      return make(type, message);
    }
    case 'minLength': {
      const label = segments[segments.length - 1];
      return make('value_error', `The ${String(label)} label must be non-empty`);
    }
    case 'maxLength':
      return make('string_too_long', `Event name must be at most ${limits.maxEventNameLength} characters`);
    case 'maxItems':
      return make('too_long', `The maximum number of related resources is ${limits.maxRelatedResources}`);
    case 'maxProperties':
      return make('too_long', `The maximum number of labels per resource is ${limits.maxLabelsPerResource}`);
    case 'format': {
      const format = String((error.params as { format: string }).format);
      return format === 'herald-uuid'
        ? make('uuid_parsing', 'Input should be a valid UUID')
        : make('datetime_parsing', 'Input should be a valid ISO-8601 datetime');
    }
    default:
      return make('value_error', error.message ?? 'Invalid value');
  }
}
