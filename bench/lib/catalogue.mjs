// Realistic events from the spec's catalogue (§8): flow-run and task-run state changes, deployments and
// workers, each with a primary resource and two related resources, about 500–650 bytes of JSON.
import { randomUUID } from 'node:crypto';
import { v7 } from 'uuid';

const FLOW_STATES = ['Scheduled', 'Pending', 'Running', 'Completed', 'Failed', 'Cancelled', 'Crashed', 'Late'];
const TASK_STATES = ['Pending', 'Running', 'Completed', 'Failed', 'Retrying'];
const FLOWS = Array.from({ length: 40 }, (_, i) => ({ id: randomUUID(), name: `etl-pipeline-${i}` }));
const DEPLOYMENTS = Array.from({ length: 120 }, (_, i) => ({ id: randomUUID(), name: `nightly-${i}` }));

/**
 * Makes a generator of realistic events. `resources` distinct primary resources are cycled through,
 * so each resource gets several events, as flow runs do.
 */
export function createCatalogue({ resources = 200_000, seed = 1, idKind = 'v7' } = {}) {
  let n = seed * 7919;
  const runIds = Array.from({ length: Math.min(resources, 50_000) }, () => randomUUID());
  const nextId = idKind === 'v4' ? randomUUID : v7;
  return function nextEvent(occurred = new Date()) {
    n++;
    const run = runIds[n % runIds.length];
    const flow = FLOWS[n % FLOWS.length];
    const deployment = DEPLOYMENTS[n % DEPLOYMENTS.length];
    const kind = n % 20;
    const isTask = kind < 10;
    const state = isTask ? TASK_STATES[n % TASK_STATES.length] : FLOW_STATES[n % FLOW_STATES.length];
    const resourceKind = kind < 10 ? 'task-run' : kind < 17 ? 'flow-run' : kind < 19 ? 'deployment' : 'work-pool';
    const event = resourceKind.endsWith('-run') ? `prefect.${resourceKind}.${state}` : kind === 17 ? 'prefect.deployment.updated' : 'prefect.work-pool.ready';
    return {
      id: nextId(),
      occurred: occurred.toISOString(),
      event,
      resource: {
        'prefect.resource.id': `prefect.${resourceKind}.${run}`,
        'prefect.resource.name': `${flow.name}-run-${n % 997}`,
        'prefect.state-name': state,
        'prefect.state-type': state.toUpperCase(),
      },
      related: [
        { 'prefect.resource.id': `prefect.flow.${flow.id}`, 'prefect.resource.role': 'flow', 'prefect.resource.name': flow.name },
        { 'prefect.resource.id': `prefect.deployment.${deployment.id}`, 'prefect.resource.role': 'deployment', 'prefect.resource.name': deployment.name },
      ],
      payload: { intended: { from: 'PENDING', to: state.toUpperCase() }, validated_state: { type: state.toUpperCase(), name: state } },
    };
  };
}
