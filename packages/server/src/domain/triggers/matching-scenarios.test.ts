import { describe, expect, it } from 'vitest';
import type { EventTrigger, RelatedResource, Resource } from '@herald/core';
import { at, automation, ev, EngineHarness, eventTrigger } from '../../test-support/trigger-engine-harness.js';

// Spec §6.1. "covers" is observed through the engine: an immediate trigger (threshold 1, within 0)
// fires exactly when it covers the event.

const R_SPIDER: Resource = {
  'prefect.resource.id': 'daddy-long-legs',
  kingdom: 'Animalia',
  phylum: 'Arthropoda',
  class: 'Arachnida',
  order: 'Araneae',
  family: 'Pholcidae',
  genus: 'Pholcus',
  species: 'phalangioides',
};
const R_CHONK: Resource = {
  'prefect.resource.id': 'woodchonk',
  kingdom: 'Animalia',
  phylum: 'Chordata',
  class: 'Mammalia',
  order: 'Rodentia',
  family: 'Sciuridae',
  genus: 'Marmota',
  species: 'monax',
};
const REL_NIBBLED: RelatedResource[] = [
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

function covers(trigger: Partial<EventTrigger>, name: string, resource: Resource, related: RelatedResource[] = []): boolean {
  const h = new EngineHarness([automation(eventTrigger({ threshold: 1, within: 0, ...trigger }))]);
  return h.deliver(ev(name, at(0), resource, { related })).length === 1;
}

describe('§6.1 matching and interest', () => {
  it('S01 glob: label patterns match as shell globs, with ! negation and missing labels never matching', () => {
    const yes: [string, string][] = [
      ['*', 'any.old.thing'],
      ['*.csv', 'file.csv'],
      ['!*.csv', 'file.parquet'],
      ['s3://*.csv', 's3://bucket/object.csv'],
      ['s3://*', 's3://bucket/file.csv'],
      ['!s3://*', 'http://example.com'],
      ['exactamundo', 'exactamundo'],
    ];
    const no: [string, string | undefined][] = [
      ['*', undefined],
      ['*.csv', 'file.parquet'],
      ['!*.csv', 'file.csv'],
      ['s3://*.csv', 'https://host/file.csv'],
      ['s3://*', 'https://host/file.csv'],
      ['!s3://*', 's3://bucket/file.csv'],
      ['exactamundo', 'positively not'],
    ];
    const resource = (value: string | undefined): Resource => ({
      'prefect.resource.id': 'r',
      ...(value === undefined ? {} : { label: value }),
    });
    for (const [pattern, value] of yes)
      expect(covers({ match: { label: pattern } }, 'x', resource(value)), `${pattern} ~ ${value}`).toBe(true);
    for (const [pattern, value] of no)
      expect(covers({ match: { label: pattern } }, 'x', resource(value)), `${pattern} !~ ${value}`).toBe(false);
  });

  it('S03 related match: every label of match_related must hold on one related resource', () => {
    const lilies: Partial<EventTrigger> = {
      expect: ['animal.ingested'],
      match_related: { 'prefect.resource.role': 'meal', genus: 'Hemerocallis', species: 'fulva' },
      threshold: 0,
      within: 30,
    };
    expect(covers(lilies, 'animal.ingested', R_CHONK, REL_NIBBLED)).toBe(true);
    expect(covers(lilies, 'animal.walked', R_CHONK)).toBe(false);
    expect(covers(lilies, 'animal.ingested', R_CHONK)).toBe(false);
    // The related labels must sit on the same resource: genus of one, species of the other → no.
    const mixed: RelatedResource[] = [
      { ...REL_NIBBLED[0]!, species: 'other' },
      { ...REL_NIBBLED[1]!, genus: 'other' },
    ];
    expect(
      covers(
        { ...lilies, match_related: { 'prefect.resource.role': 'meal', genus: 'Hemerocallis', species: 'gesneriana' } },
        'animal.ingested',
        R_CHONK,
        mixed,
      ),
    ).toBe(false);
  });

  it('S05 empty expect: every event name is covered', () => {
    const t: Partial<EventTrigger> = { expect: [], match: { kingdom: 'Animalia' }, threshold: 0, within: 30 };
    expect(covers(t, 'animal.walked', R_SPIDER)).toBe(true);
    expect(covers(t, 'animal.ingested', R_CHONK)).toBe(true);
  });

  it('S07 negation on a missing label: !prod matches dev, not prod, not a missing label', () => {
    const t: Partial<EventTrigger> = { expect: ['x'], match: { env: '!prod' } };
    expect(covers(t, 'x', { 'prefect.resource.id': 'r', env: 'dev' })).toBe(true);
    expect(covers(t, 'x', { 'prefect.resource.id': 'r', env: 'prod' })).toBe(false);
    expect(covers(t, 'x', { 'prefect.resource.id': 'r' })).toBe(false);
  });

  it('S09 trailing-wildcard prefix quirk (Q-M2): prefect.flow-run.* does not cover "prefect.flow-run."', () => {
    const t: Partial<EventTrigger> = { expect: ['prefect.flow-run.*'] };
    expect(covers(t, 'prefect.flow-run.', { 'prefect.resource.id': 'r' })).toBe(false);
    expect(covers(t, 'prefect.flow-run.X', { 'prefect.resource.id': 'r' })).toBe(true);
  });

  it('a list of patterns is OR-ed (Q-M1): a negated sibling cannot exclude what another pattern matches', () => {
    const t: Partial<EventTrigger> = { expect: ['x'], match: { 'prefect.resource.id': ['prefect.flow-run.*', '!prefect.flow-run.abc'] } };
    expect(covers(t, 'x', { 'prefect.resource.id': 'prefect.flow-run.abc' })).toBe(true);
  });
});
