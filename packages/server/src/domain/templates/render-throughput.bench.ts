import { bench, describe } from 'vitest';
import { buildWebhookTemplateContext, renderJsonTemplate } from './index.js';

/**
 * Renders per second of a ~1 KB webhook-style template (issue 4: 10,000 templated requests/s).
 * Run: `npx vitest bench --run packages/server/src/domain/templates/render-throughput.bench.ts`
 */

const TEMPLATE = `{
  "event": "ci.build.{{ body.status | default('unknown') }}",
  "resource": {
    "prefect.resource.id": "ci.repo.{{ body.repository.full_name }}.build.{{ body.build_id }}",
    "prefect.resource.name": "{{ body.repository.name }} #{{ body.build_id }}",
    "ci.branch": "{{ body.branch }}",
    "ci.commit": "{{ body.commit.sha }}",
    "ci.author": "{{ body.commit.author.login }}"
  },
  "related": [
    {"prefect.resource.id": "ci.branch.{{ body.branch }}", "prefect.resource.role": "branch"},
    {"prefect.resource.id": "ci.user.{{ body.commit.author.login }}", "prefect.resource.role": "author",
     "prefect.resource.name": {{ body.commit.author.name | tojson }}}
  ],
  "payload": {
    "delivery": "{{ headers['x-delivery-id'] }}",
    "event_type": "{{ headers['x-github-event'] }}",
    "method": "{{ method }}",
    "duration_seconds": {{ body.duration | default(0) }},
    "message": {{ body.commit.message | tojson }},
    "labels": {{ body.labels | tojson }},
    "steps": [{% for step in body.steps %}{"name": {{ step.name | tojson }}, "ok": {{ step.ok | tojson }}}{% if not loop.last %}, {% endif %}{% endfor %}],
    "page": "{{ query.page | default('1') }}"
  }
}`;

const BODY = {
  status: 'succeeded',
  build_id: 4711,
  branch: 'main',
  duration: 132.5,
  labels: ['ci', 'nightly'],
  repository: { full_name: 'acme/herald', name: 'herald' },
  commit: { sha: '9f2c1e7a', message: 'Fix the "quoted" thing\nand more', author: { login: 'ada', name: 'Ada Lovelace' } },
  steps: [
    { name: 'install', ok: true },
    { name: 'build', ok: true },
    { name: 'test', ok: true },
  ],
};

const request = (): ReturnType<typeof buildWebhookTemplateContext> =>
  buildWebhookTemplateContext({
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-delivery-id': 'd-1', 'x-github-event': 'push', 'user-agent': 'GitHub-Hookshot' },
    body: BODY,
    query: { page: '2' },
    raw_body: JSON.stringify(BODY),
  });

describe(`webhook template (${TEMPLATE.length} bytes)`, () => {
  bench(
    'build context + renderJsonTemplate',
    () => {
      const result = renderJsonTemplate(TEMPLATE, request());
      if (!result.ok) throw new Error(result.error);
    },
    { time: 3000, warmupTime: 1000 },
  );
});
