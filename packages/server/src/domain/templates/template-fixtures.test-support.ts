import type { Automation, Firing, ReceivedEvent } from '@herald/core';

/** Fixtures of spec §6.0/§6.8: the woodchuck that nibbled the lilies. */
const R_CHONK = {
  'prefect.resource.id': 'woodchonk',
  kingdom: 'Animalia',
  phylum: 'Chordata',
  class: 'Mammalia',
  order: 'Rodentia',
  family: 'Sciuridae',
  genus: 'Marmota',
  species: 'monax',
};

const REL_NIBBLED = [
  {
    'prefect.resource.role': 'meal',
    'prefect.resource.id': 'my-lily',
    kingdom: 'Plantae',
    order: 'Asparagales',
    family: 'Asphodelaceae',
    genus: 'Hemerocallis',
    species: 'fulva',
  },
  {
    'prefect.resource.role': 'meal',
    'prefect.resource.id': 'my-tulip',
    kingdom: 'Plantae',
    order: 'Liliales',
    family: 'Liliaceae',
    genus: 'Tulipa',
    species: 'gesneriana',
  },
];

export function nibbledEvent(overrides: Partial<ReceivedEvent> = {}): ReceivedEvent {
  return {
    occurred: '2026-11-22T10:00:00.000000Z',
    event: 'animal.ingested',
    resource: { ...R_CHONK },
    related: REL_NIBBLED.map((r) => ({ ...r })),
    payload: { bites: 3, tastes: ['sweet', 'crunchy'], café: 'é' },
    id: '0193a5c2-7c7e-7000-8000-000000000001',
    follows: null,
    received: '2026-11-22T10:00:00.500000Z',
    ...overrides,
  };
}

export function liliesAutomation(): Automation {
  return {
    id: '0193a5c2-0000-7000-8000-00000000a11e',
    name: 'If my lilies get nibbled, tell me about it',
    description: '',
    enabled: true,
    tags: [],
    trigger: {
      type: 'event',
      id: '0193a5c2-0000-7000-8000-0000000071a6',
      match: { 'prefect.resource.id': 'woodchonk' },
      match_related: { 'prefect.resource.role': 'meal' },
      after: [],
      expect: ['animal.ingested'],
      for_each: [],
      posture: 'Reactive',
      threshold: 1,
      within: 0,
    },
    actions: [{ type: 'do-nothing' }],
    actions_on_trigger: [],
    actions_on_resolve: [],
    created: '2026-11-22T09:00:00.000000Z',
    updated: '2026-11-22T09:00:00.000000Z',
  };
}

export function liliesFiring(event: ReceivedEvent | null = nibbledEvent()): Firing {
  const automation = liliesAutomation();
  return {
    id: '0193a5c2-0000-7000-8000-0000000f1e11',
    trigger: automation.trigger,
    trigger_states: ['Triggered'],
    triggered: '2026-11-22T10:00:00.000000Z',
    triggering_labels: { 'i.am.so': 'triggered' },
    triggering_firings: [],
    triggering_event: event,
    triggering_value: null,
  };
}
