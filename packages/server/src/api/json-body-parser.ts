import type { FastifyInstance } from 'fastify';

/**
 * Makes JSON the only accepted body type: any other content type gets 415. Fastify's own parser is
 * kept (it refuses `__proto__` and `constructor.prototype` keys), except that an empty body counts as
 * omitted, as `POST /api/events/filter` allows in Prefect.
 *
 * @example
 * installJsonBodyParser(app); // before any route is registered
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
