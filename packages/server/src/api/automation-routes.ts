import { HeraldError, isUuid, normalizeUuid, serializeAutomation, type ValidationIssue } from '@herald/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AutomationService, AutomationWrite } from '../automations/automation-service.js';
import { automationCreateSchema, automationFilterSchema, automationSchema, automationUpdateSchema } from './automation-api-schemas.js';
import type { RequestIssue } from './error-response.js';
import { errorResponses } from './openapi-schemas.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const NOT_FOUND = 'Automation not found';
const idParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } };
const resourceParams = { type: 'object', properties: { resource_id: { type: 'string' } } };
const automationList = { type: 'array', items: automationSchema };

/** A 404 with Herald's fields and Prefect's `exception_message` (spec §1.4). */
function sendNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type(JSON_TYPE).send({
    statusCode: 404,
    code: 'AUTOMATION_NOT_FOUND',
    error: 'Not Found',
    message: NOT_FOUND,
    exception_message: NOT_FOUND,
  });
}

function invalid(issues: ValidationIssue[], model: boolean): HeraldError {
  const located: RequestIssue[] = model ? issues.map((issue) => ({ ...issue, in: 'model' })) : issues;
  return new HeraldError('AUTOMATION_INVALID', { details: { issues: located } });
}

/** The automation id of a path; like Prefect's `{id:uuid}` routes, anything else matches no route. */
function automationId(params: unknown): string {
  const { id } = params as { id: string };
  if (!isUuid(id)) throw new HeraldError('ROUTE_NOT_FOUND');
  return normalizeUuid(id);
}

/** 204 on success; the 404 or 422 of a refused write. */
function sendWrite(result: AutomationWrite, reply: FastifyReply): FastifyReply {
  if (result.ok) return reply.code(204).send();
  if (result.reason === 'not_found') return sendNotFound(reply);
  throw invalid(result.issues, result.model);
}

/**
 * The automations API under `/api/automations` (spec §1.4), with Prefect's status codes and bodies:
 * 201 create, 204 PUT/PATCH/DELETE, 202 delete owned-by, 404 `{"exception_message": "Automation not
 * found"}`, and 422 `{exception_message, exception_detail: [{loc, type, msg}], request_body}`.
 *
 * @example
 * registerAutomationRoutes(app, { automations });
 */
export function registerAutomationRoutes(app: FastifyInstance, deps: { automations: AutomationService }): void {
  const { automations } = deps;
  const config = { prefectShapes: true };

  for (const url of ['/api/automations', '/api/automations/']) {
    app.post(
      url,
      {
        config,
        schema: {
          operationId: url.endsWith('/') ? 'create_automation_automations__post' : 'create_automation',
          summary: 'Create an automation',
          description: 'Trigger ids sent by the client are replaced by fresh ones. Emits `herald.automation.created`.',
          tags: ['automations'],
          ...(url.endsWith('/') ? { hide: true } : {}),
          body: automationCreateSchema,
          response: { 201: automationSchema, ...errorResponses(401, 415, 422) },
        },
      },
      async (request, reply) => {
        const result = await automations.create(request.body);
        if (!result.ok) return sendWrite(result, reply);
        return reply.code(201).type(JSON_TYPE).send(serializeAutomation(result.automation));
      },
    );
  }

  app.get(
    '/api/automations/:id',
    {
      config,
      schema: {
        operationId: 'read_automation',
        summary: 'Read an automation',
        tags: ['automations'],
        params: idParams,
        response: { 200: automationSchema, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const automation = await automations.get(automationId(request.params));
      return automation ? reply.type(JSON_TYPE).send(serializeAutomation(automation)) : sendNotFound(reply);
    },
  );

  app.put(
    '/api/automations/:id',
    {
      config,
      schema: {
        operationId: 'update_automation',
        summary: 'Replace an automation',
        description: 'Only the keys present in the body are written (Prefect quirk Q-A1). Trigger ids are regenerated, so windows restart.',
        tags: ['automations'],
        params: idParams,
        body: automationUpdateSchema,
        response: { 204: { type: 'null', description: 'Updated.' }, ...errorResponses(401, 404, 422) },
      },
    },
    async (request, reply) => sendWrite(await automations.replace(automationId(request.params), request.body), reply),
  );

  app.patch(
    '/api/automations/:id',
    {
      config,
      schema: {
        operationId: 'patch_automation',
        summary: 'Enable or disable an automation',
        description: 'Body `{"enabled": bool}` only. Trigger ids, and so open windows, are kept.',
        tags: ['automations'],
        params: idParams,
        body: { type: 'object', required: ['enabled'], additionalProperties: false, properties: { enabled: { type: 'boolean' } } },
        response: { 204: { type: 'null', description: 'Updated.' }, ...errorResponses(401, 404, 422) },
      },
    },
    async (request, reply) => sendWrite(await automations.patch(automationId(request.params), request.body), reply),
  );

  app.delete(
    '/api/automations/:id',
    {
      config,
      schema: {
        operationId: 'delete_automation',
        summary: 'Delete an automation',
        tags: ['automations'],
        params: idParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => ((await automations.delete(automationId(request.params))) ? reply.code(204).send() : sendNotFound(reply)),
  );

  app.post(
    '/api/automations/filter',
    {
      config,
      schema: {
        operationId: 'read_automations',
        summary: 'List automations',
        description: 'Filtered by name, creation time and tags; sorted; `limit` at most 200.',
        tags: ['automations'],
        body: automationFilterSchema,
        response: { 200: automationList, ...errorResponses(401, 422) },
      },
    },
    async (request, reply) => {
      const result = await automations.filter(request.body);
      if (!result.ok) throw invalid(result.issues, false);
      return reply.type(JSON_TYPE).send(result.automations.map(serializeAutomation));
    },
  );

  app.post(
    '/api/automations/count',
    {
      config,
      schema: {
        operationId: 'count_automations',
        summary: 'Count every automation',
        tags: ['automations'],
        response: { 200: { type: 'integer' }, ...errorResponses(401) },
      },
    },
    async (_request, reply) => reply.type(JSON_TYPE).send(JSON.stringify(await automations.count())),
  );

  app.get(
    '/api/automations/related-to/:resource_id',
    {
      config,
      schema: {
        operationId: 'read_automations_related_to_resource',
        summary: 'Automations related to a resource',
        description: 'Every automation with a relation (owned or not) to the resource.',
        tags: ['automations'],
        params: resourceParams,
        response: { 200: automationList, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const { resource_id: resourceId } = request.params as { resource_id: string };
      return reply.type(JSON_TYPE).send((await automations.relatedTo(resourceId)).map(serializeAutomation));
    },
  );

  app.delete(
    '/api/automations/owned-by/:resource_id',
    {
      config,
      schema: {
        operationId: 'delete_automations_owned_by_resource',
        summary: 'Delete the automations a resource owns',
        description: 'Related but not owned automations are kept. Emits no lifecycle events.',
        tags: ['automations'],
        params: resourceParams,
        response: { 202: { type: 'null', description: 'Deleted.' }, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const { resource_id: resourceId } = request.params as { resource_id: string };
      await automations.deleteOwnedBy(resourceId);
      return reply.code(202).send();
    },
  );
}
