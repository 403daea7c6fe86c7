// Realistic events from the spec's catalogue (§8): flow-run and task-run state changes, deployments and
// work pools, each with a primary resource and two related resources (flow, deployment), about 660 bytes
// of JSON as sent (limits.md measured with about 620).
import { randomUUID } from 'node:crypto';
import { v7 } from 'uuid';

const FLOW_STATES = ['Scheduled', 'Pending', 'Running', 'Completed', 'Failed', 'Cancelled', 'Crashed', 'Late'];
const TASK_STATES = ['Pending', 'Running', 'Completed', 'Failed', 'Retrying'];
const FLOWS = Array.from({ length: 40 }, (_, i) => ({ id: randomUUID(), name: `etl-pipeline-${i}` }));
const DEPLOYMENTS = Array.from({ length: 120 }, (_, i) => ({ id: randomUUID(), name: `nightly-${i}` }));

/** Events per run; each block of `RUNS_PER_BLOCK * EVENTS_PER_RUN` events interleaves that many runs. */
const EVENTS_PER_RUN = 5;
const RUNS_PER_BLOCK = 200;

/**
 * Makes a generator of realistic events. Runs come and go as in real life: every block of 1,000
 * events interleaves 200 runs of 5 events each, so a primary resource's events are close in time and
 * 1M events name about 200k distinct primary resources (cycling after `resources` runs). A run's kind
 * is fixed: about 50 % task runs, 35 % flow runs, 10 % deployments, 5 % work pools.
 *
 * `idKind` is `'v7'` (time-ordered, what Herald's SDK sends) or `'v4'` (random, what Prefect's Python
 * client sends). `nextEvent.resourceIdOf(n)` names the primary resource of the n-th run, and
 * `nextEvent.json(occurredIso)` makes the next event as `{ id, json }`: the same event, already serialised.
 *
 * @example
 * const next = createCatalogue({ seed: 1 });
 * const event = next(new Date('2026-11-01T00:00:00Z'));
 */
export function createCatalogue({ resources = 200_000, seed = 1, idKind = 'v7' } = {}) {
  let n = 0;
  const base = (seed * 7919) % resources;
  const runIds = Array.from({ length: resources }, () => randomUUID());
  const nextId = idKind === 'v4' ? randomUUID : v7;
  const blockEvents = RUNS_PER_BLOCK * EVENTS_PER_RUN;

  function resourceKindOf(run) {
    const kind = run % 20;
    return kind < 10 ? 'task-run' : kind < 17 ? 'flow-run' : kind < 19 ? 'deployment' : 'work-pool';
  }

  function resourceIdOf(run) {
    return `prefect.${resourceKindOf(run)}.${runIds[run % resources]}`;
  }

  /** What the i-th event is made of, ids aside. */
  function partsOf(i) {
    const run = (base + Math.floor(i / blockEvents) * RUNS_PER_BLOCK + (i % RUNS_PER_BLOCK)) % resources;
    const step = Math.floor((i % blockEvents) / RUNS_PER_BLOCK);
    const flow = FLOWS[run % FLOWS.length];
    const deployment = DEPLOYMENTS[run % DEPLOYMENTS.length];
    const resourceKind = resourceKindOf(run);
    const states = resourceKind === 'task-run' ? TASK_STATES : FLOW_STATES;
    const state = states[(step + run) % states.length];
    const event =
      resourceKind === 'deployment'
        ? 'prefect.deployment.updated'
        : resourceKind === 'work-pool'
          ? 'prefect.work-pool.ready'
          : `prefect.${resourceKind}.${state}`;
    return { event, resourceId: resourceIdOf(run), name: `${flow.name}-run-${run % 997}`, state, flow, deployment };
  }

  function nextEvent(occurred = new Date()) {
    const { event, resourceId, name, state, flow, deployment } = partsOf(n++);
    return {
      id: nextId(),
      occurred: occurred.toISOString(),
      event,
      resource: { 'prefect.resource.id': resourceId, 'prefect.resource.name': name, 'prefect.state-name': state },
      related: [
        { 'prefect.resource.id': `prefect.flow.${flow.id}`, 'prefect.resource.role': 'flow', 'prefect.resource.name': flow.name },
        {
          'prefect.resource.id': `prefect.deployment.${deployment.id}`,
          'prefect.resource.role': 'deployment',
          'prefect.resource.name': deployment.name,
        },
      ],
      payload: { intended: { from: 'PENDING', to: state.toUpperCase() } },
    };
  }

  /**
   * The next event as `{ id, json }`, where `json` is exactly `JSON.stringify` of what `nextEvent` makes
   * (no value needs escaping), written directly: a load generator then spends a fifth of the time on
   * each event, and leaves that CPU to the server it measures.
   */
  function nextEventJson(occurredIso = new Date().toISOString()) {
    const { event, resourceId, name, state, flow, deployment } = partsOf(n++);
    const id = nextId();
    const json =
      `{"id":"${id}","occurred":"${occurredIso}","event":"${event}","resource":{"prefect.resource.id":"${resourceId}",` +
      `"prefect.resource.name":"${name}","prefect.state-name":"${state}"},"related":[{"prefect.resource.id":"prefect.flow.${flow.id}",` +
      `"prefect.resource.role":"flow","prefect.resource.name":"${flow.name}"},{"prefect.resource.id":"prefect.deployment.${deployment.id}",` +
      `"prefect.resource.role":"deployment","prefect.resource.name":"${deployment.name}"}],"payload":{"intended":{"from":"PENDING","to":"${state.toUpperCase()}"}}}`;
    return { id, json };
  }

  nextEvent.resourceIdOf = resourceIdOf;
  nextEvent.json = nextEventJson;
  return nextEvent;
}
