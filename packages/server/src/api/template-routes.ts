import type { FastifyInstance, FastifyReply } from 'fastify';
import { templateErrorSchema } from './automation-api-schemas.js';
import { errorResponses } from './openapi-schemas.js';

/** H2's template check: syntax and loop limits, no rendering. */
export type TemplateValidator = (source: string) => { ok: true } | { ok: false; line: number; message: string };

const PATHS = ['/api/templates/validate', '/api/automations/templates/validate'];

function sendTemplateError(reply: FastifyReply, line: number, message: string, source: string): FastifyReply {
  return reply.code(422).type('application/json; charset=utf-8').send({ error: { line, message, source } });
}

/**
 * `POST /api/templates/validate` and its legacy twin `/api/automations/templates/validate` (spec
 * §1.5): the body is the template, as raw text (any non-JSON content type) or as a JSON string. 204
 * when it parses within the loop limits, else 422 `{"error": {"line", "message", "source"}}`. Registered
 * in its own scope, whose extra body parser (raw text) applies to these routes only.
 *
 * @example
 * await app.register(async (scope) => registerTemplateRoutes(scope, { validateTemplate }));
 */
export function registerTemplateRoutes(app: FastifyInstance, deps: { validateTemplate: TemplateValidator }): void {
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
    done(null, typeof body === 'string' ? body : body.toString('utf8')),
  );

  for (const url of PATHS) {
    app.post(
      url,
      {
        config: { prefectShapes: true },
        schema: {
          operationId: url.startsWith('/api/automations') ? 'validate_template_automations' : 'validate_template',
          summary: 'Check a Jinja template without rendering it',
          description: 'Send the template as `text/plain`, or as a JSON string. An empty body is a valid template.',
          tags: ['automations'],
          ...(url.startsWith('/api/automations') ? { hide: true } : {}),
          body: { type: 'string' },
          response: { 204: { type: 'null', description: 'Valid.' }, 422: templateErrorSchema, ...errorResponses(401, 413) },
        },
      },
      async (request, reply) => {
        const body = request.body ?? '';
        if (typeof body !== 'string') return sendTemplateError(reply, 0, 'The body must be the template, as text or as a JSON string.', '');
        const result = deps.validateTemplate(body);
        return result.ok ? reply.code(204).send() : sendTemplateError(reply, result.line, result.message, body);
      },
    );
  }
}
