import type { Action, Automation, Event, Firing, ReceivedEvent, RelatedResource } from '@herald/core';
import type { AutomationToggleResult } from '../../automations/automation-service.js';
import type { ConnectionResolver, ResolvedConnection } from '../../connections/connection-service.js';
import { buildActionTemplateContext, renderJsonTemplate, renderTemplate } from '../../domain/templates/index.js';
import type { ActionExecutorDeps, ActionJob, AutomationControl } from './action-job.js';

/** Fixed instants for tests, µs. */
export const T0 = Date.parse('2026-11-22T12:00:00Z') * 1000;

/** Connections kept in a map, as H4's resolver returns them. */
export class InMemoryConnections implements ConnectionResolver {
  readonly byId = new Map<string, ResolvedConnection>();
  add(connection: ResolvedConnection): ResolvedConnection {
    this.byId.set(connection.id, connection);
    return connection;
  }
  async resolve(id: string): Promise<ResolvedConnection | null> {
    return this.byId.get(id) ?? null;
  }
}

/** Automations' enabled flags kept in a map; `invalidWhenEnabled` ids refuse to be enabled. */
export class InMemoryAutomationControl implements AutomationControl {
  readonly enabled = new Map<string, boolean>();
  readonly invalidWhenEnabled = new Set<string>();
  readonly calls: { id: string; enabled: boolean; related: RelatedResource[] }[] = [];
  async setEnabled(id: string, enabled: boolean, options: { related?: RelatedResource[] } = {}): Promise<AutomationToggleResult> {
    this.calls.push({ id, enabled, related: options.related ?? [] });
    if (!this.enabled.has(id)) return 'not_found';
    if (enabled && this.invalidWhenEnabled.has(id)) return { invalid: 'the trigger would loop' };
    this.enabled.set(id, enabled);
    return 'ok';
  }
}

/** The spec's ARACH automation (S103): reacts immediately to spiders. */
export function arachAutomation(actions: Action[] = [{ type: 'do-nothing' }]): Automation {
  return {
    id: '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d',
    name: 'React immediately to spiders',
    description: '',
    enabled: true,
    tags: [],
    trigger: {
      type: 'event',
      id: '11111111-2222-4333-8444-555555555555',
      match: { 'prefect.resource.id': 'daddy-long-legs' },
      match_related: {},
      after: [],
      expect: ['animal.ingested'],
      for_each: [],
      posture: 'Reactive',
      threshold: 1,
      within: 0,
    },
    actions,
    actions_on_trigger: [],
    actions_on_resolve: [],
    created: '2026-11-22T11:00:00.000000Z',
    updated: '2026-11-22T11:00:00.000000Z',
  };
}

/** The spider event of the spec's fixtures, occurring at `occurred`. */
export function spiderEvent(occurred = '2026-11-22T12:00:00.000000Z', related: RelatedResource[] = []): ReceivedEvent {
  return {
    occurred,
    event: 'animal.ingested',
    resource: { 'prefect.resource.id': 'daddy-long-legs', 'prefect.resource.name': 'Daddy Long Legs', kingdom: 'Animalia' },
    related,
    payload: { weight: 3 },
    id: '0193a5c2-7c7e-7000-8000-00000000beef',
    follows: null,
    received: occurred,
  };
}

/** A job for `action` of the ARACH automation fired by `event`. */
export function jobFor(
  action: Action,
  options: { event?: ReceivedEvent | null; attempt?: number; automationTriggeredEventId?: string | null; triggered?: string } = {},
): ActionJob {
  const event = options.event === undefined ? spiderEvent() : options.event;
  const automation = arachAutomation([action]);
  const firing: Firing = {
    id: '22222222-3333-4444-8555-666666666666',
    trigger: automation.trigger,
    trigger_states: ['Triggered'],
    triggered: options.triggered ?? '2026-11-22T12:00:01.000000Z',
    triggering_labels: { hello: 'world' },
    triggering_firings: [],
    triggering_event: event,
    triggering_value: null,
  };
  return {
    id: '0193a5c2-aaaa-7bbb-8ccc-000000000001',
    automation,
    firing,
    action,
    actionIndex: 0,
    triggeringEvent: event,
    automationTriggeredEventId: options.automationTriggeredEventId ?? null,
    attempt: options.attempt ?? 1,
  };
}

/** Deps with the real templates, in-memory connections and automations, and a list of emitted events. */
export function testDeps(overrides: Partial<ActionExecutorDeps> = {}): ActionExecutorDeps & {
  connections: InMemoryConnections;
  automations: InMemoryAutomationControl;
  emitted: Event[];
} {
  const emitted: Event[] = [];
  return {
    connections: new InMemoryConnections(),
    automations: new InMemoryAutomationControl(),
    emit: async (event) => {
      emitted.push(event);
    },
    render: { buildActionTemplateContext, renderTemplate, renderJsonTemplate },
    http: { allowPrivateNetworks: true, timeoutMs: 5000 },
    uiUrl: null,
    now: () => T0,
    emitted,
    ...overrides,
  } as ActionExecutorDeps & { connections: InMemoryConnections; automations: InMemoryAutomationControl; emitted: Event[] };
}
