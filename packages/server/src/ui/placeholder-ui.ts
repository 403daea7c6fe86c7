import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Herald</title>
<style>
 :root{color-scheme:light dark;font-family:system-ui,sans-serif}
 body{max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
 pre{background:#8881;padding:1rem;border-radius:.5rem;overflow:auto}
</style></head>
<body>
<h1>Herald is running</h1>
<p>The event feed arrives in a later release. Meanwhile, send a first event and read it back:</p>
<pre>curl -X POST __ORIGIN__/api/events -H 'content-type: application/json' -d '[{
  "id": "'$(uuidgen)'", "occurred": "'$(date -u +%FT%TZ)'",
  "event": "acme.model.refreshed", "resource": {"prefect.resource.id": "acme.model.churn"}
}]'
curl -X POST __ORIGIN__/api/events/filter -H 'content-type: application/json' -d '{"limit": 5}'</pre>
<p>API reference: <a href="/docs">/docs</a> · OpenAPI: <a href="/api/openapi.json">/api/openapi.json</a> · Metrics: <a href="/metrics">/metrics</a></p>
</body></html>`;

/** Serves the placeholder home page at `/` until the web UI lands. */
export function registerPlaceholderUi(app: FastifyInstance): void {
  app.get('/', async (request, reply) => {
    const origin = `${request.protocol}://${request.headers.host ?? 'localhost'}`;
    return reply.type('text/html; charset=utf-8').send(PAGE.replaceAll('__ORIGIN__', origin));
  });
}
