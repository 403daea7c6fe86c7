import { DEFAULT_EVENT_LIMITS, EVENT_FILTER_JSON_SCHEMA, eventJsonSchema } from '@herald/core';

/**
 * JSON Schemas for the OpenAPI document only. Routes validate in their handlers with core's validators
 * (so that errors keep Herald's and Prefect's shapes); these schemas describe the same contract.
 */

type Schema = Record<string, unknown>;

const FORMATS: Record<string, string> = { 'herald-date-time': 'date-time', 'herald-uuid': 'uuid' };

/** Core's schemas use Herald's own ajv formats; OpenAPI readers know the standard names. */
function withStandardFormats(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withStandardFormats);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === 'format' && typeof value === 'string' ? (FORMATS[value] ?? value) : withStandardFormats(value),
    ]),
  );
}

export const eventSchema = {
  ...(withStandardFormats(eventJsonSchema(DEFAULT_EVENT_LIMITS)) as Schema),
  description: 'An event as a client sends it. `occurred` and `id` are chosen by the client; unknown keys are ignored.',
};

export const receivedEventSchema: Schema = {
  type: 'object',
  description: 'A stored event: every field is always present, datetimes are UTC.',
  required: ['occurred', 'event', 'resource', 'related', 'payload', 'id', 'follows', 'received'],
  properties: {
    occurred: { type: 'string', format: 'date-time' },
    event: { type: 'string' },
    resource: { type: 'object', additionalProperties: { type: 'string' } },
    related: { type: 'array', items: { type: 'object', additionalProperties: { type: 'string' } } },
    payload: { type: 'object' },
    id: { type: 'string', format: 'uuid' },
    follows: { type: ['string', 'null'], format: 'uuid' },
    received: { type: 'string', format: 'date-time' },
  },
};

export const eventFilterSchema = {
  ...(withStandardFormats(EVENT_FILTER_JSON_SCHEMA) as Schema),
  description: "Prefect's EventFilter. Unknown keys are refused at every depth; null and empty lists mean 'not set'.",
};

export const eventPageSchema: Schema = {
  type: 'object',
  required: ['events', 'total', 'next_page'],
  properties: {
    events: { type: 'array', items: receivedEventSchema },
    total: { type: ['integer', 'null'], description: 'Matching events (distinct resources with `resource.distinct`), computed on the first page; null when the first page was asked with `?count=false`.' },
    next_page: { type: ['string', 'null'], description: 'Absolute URL of the next page, or null when there is none.' },
  },
};

export const eventCountSchema: Schema = {
  type: 'object',
  required: ['value', 'label', 'count', 'start_time', 'end_time'],
  properties: {
    value: { type: 'string' },
    label: { type: 'string' },
    count: { type: 'integer' },
    start_time: { type: 'string', format: 'date-time' },
    end_time: { type: 'string', format: 'date-time' },
  },
};

export const heraldErrorSchema: Schema = {
  type: 'object',
  description: "Herald's error body. Routes mirroring Prefect add `exception_message`, `exception_detail` or `detail`.",
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', description: "A stable code from Herald's error catalogue." },
    error: { type: 'string' },
    message: { type: 'string' },
    details: {},
    exception_message: { type: 'string' },
    exception_detail: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          loc: { type: 'array', items: { type: ['string', 'integer'] } },
          msg: { type: 'string' },
          input: {},
          pointer: { type: 'string', description: 'RFC 6901 JSON pointer into the request part named by `loc[0]`.' },
          event_id: { type: 'string' },
        },
      },
    },
    detail: { type: 'string' },
  },
};

/** Error responses shared by the routes under `/api`, keyed by status. */
export function errorResponses(...statuses: number[]): Record<string, Schema> {
  return Object.fromEntries(statuses.map((s) => [String(s), { ...heraldErrorSchema }]));
}
