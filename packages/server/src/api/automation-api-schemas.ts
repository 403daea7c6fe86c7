/**
 * JSON Schemas of the automation and connection routes, for the OpenAPI document only: handlers
 * validate with core's parsers, which report Prefect's 422 shapes.
 */

type Schema = Record<string, unknown>;

const stringMap: Schema = {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
};

export const triggerSchema: Schema = {
  type: 'object',
  description:
    "An `event`, `compound` or `sequence` trigger (Prefect's shapes). Durations are float seconds; ids are assigned by the server.",
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['event', 'compound', 'sequence'] },
    id: { type: 'string', format: 'uuid' },
    match: stringMap,
    match_related: { anyOf: [stringMap, { type: 'array', items: stringMap }] },
    after: { type: 'array', items: { type: 'string' } },
    expect: { type: 'array', items: { type: 'string' } },
    for_each: { type: 'array', items: { type: 'string' } },
    posture: { type: 'string', enum: ['Reactive', 'Proactive'] },
    threshold: { type: 'integer' },
    within: { type: ['number', 'null'] },
    require: { anyOf: [{ type: 'string', enum: ['any', 'all'] }, { type: 'integer' }] },
    triggers: { type: 'array', items: { type: 'object' } },
  },
};

export const actionSchema: Schema = {
  type: 'object',
  description: '`do-nothing`, `call-webhook`, `send-notification`, `pause-automation`, `resume-automation` or `emit-event`.',
  required: ['type'],
  properties: {
    type: {
      type: 'string',
      enum: ['do-nothing', 'call-webhook', 'send-notification', 'pause-automation', 'resume-automation', 'emit-event'],
    },
    block_document_id: { type: 'string', format: 'uuid', description: 'A connection id.' },
    payload: { type: 'string' },
    subject: { type: 'string' },
    body: { type: 'string' },
    source: { type: 'string', enum: ['selected', 'inferred'] },
    automation_id: { type: ['string', 'null'], format: 'uuid' },
    event: { type: 'string' },
  },
};

const inputProperties: Schema = {
  name: { type: 'string' },
  description: { type: 'string', default: '' },
  enabled: { type: 'boolean', default: true },
  tags: { type: 'array', items: { type: 'string' }, default: [] },
  trigger: triggerSchema,
  actions: { type: 'array', items: actionSchema },
  actions_on_trigger: { type: 'array', items: actionSchema, default: [] },
  actions_on_resolve: { type: 'array', items: actionSchema, default: [] },
};

export const automationCreateSchema: Schema = {
  type: 'object',
  description: 'Unknown top-level keys are refused (422 `extra_forbidden`).',
  required: ['name', 'trigger', 'actions'],
  additionalProperties: false,
  properties: {
    ...inputProperties,
    owner_resource: { type: ['string', 'null'], description: 'A resource id that owns the automation (create only).' },
  },
};

export const automationUpdateSchema: Schema = {
  type: 'object',
  description: 'As create, without `owner_resource`. Only the keys present are written; trigger ids are regenerated.',
  required: ['name', 'trigger', 'actions'],
  additionalProperties: false,
  properties: inputProperties,
};

export const automationSchema: Schema = {
  type: 'object',
  required: [
    'id',
    'created',
    'updated',
    'name',
    'description',
    'enabled',
    'tags',
    'trigger',
    'actions',
    'actions_on_trigger',
    'actions_on_resolve',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    created: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
    ...inputProperties,
  },
};

export const automationFilterSchema: Schema = {
  type: 'object',
  properties: {
    sort: { type: 'string', enum: ['CREATED_DESC', 'UPDATED_DESC', 'NAME_ASC', 'NAME_DESC'], default: 'NAME_ASC' },
    limit: { type: 'integer', minimum: 0, maximum: 200, default: 200 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    automations: {
      type: ['object', 'null'],
      properties: {
        operator: { type: 'string', enum: ['and_', 'or_'] },
        name: { type: 'object', properties: { any_: { type: 'array', items: { type: 'string' } } } },
        created: { type: 'object', properties: { before_: { type: 'string', format: 'date-time' } } },
        tags: {
          type: 'object',
          properties: {
            operator: { type: 'string', enum: ['and_', 'or_'] },
            all_: { type: 'array', items: { type: 'string' } },
            any_: { type: 'array', items: { type: 'string' } },
            is_null_: { type: 'boolean' },
          },
        },
      },
    },
  },
};

export const templateErrorSchema: Schema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['line', 'message', 'source'],
      properties: {
        line: { type: 'integer', description: '1-based; 0 for loop-limit errors.' },
        message: { type: 'string' },
        source: { type: 'string' },
      },
    },
  },
};

const connectionKind: Schema = { type: 'string', enum: ['webhook', 'slack', 'discord', 'email'] };

export const connectionSchema: Schema = {
  type: 'object',
  required: ['id', 'name', 'kind', 'settings', 'secrets', 'created', 'updated'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    kind: connectionKind,
    settings: { type: 'object' },
    secrets: {
      type: 'array',
      items: { type: 'string' },
      description: 'Names of the secrets that are set; their values are never returned.',
    },
    created: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
  },
};

export const connectionCreateSchema: Schema = {
  type: 'object',
  required: ['name', 'kind'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    kind: connectionKind,
    settings: { type: 'object', description: 'webhook: `{method, allow_private_network}`; email: `{host, port, secure, from, to}`.' },
    secrets: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'webhook: `{url, headers?, signing_secret?}`; slack, discord: `{url}`; email: `{username?, password?}`. Write-only.',
    },
  },
};

export const connectionPatchSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    settings: { type: 'object', description: 'Replaces the stored settings.' },
    secrets: {
      type: 'object',
      additionalProperties: { type: ['string', 'null'] },
      description: 'Merged into the stored secrets; null removes one.',
    },
  },
};
