import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a bench script in plain JavaScript, without type declarations
import { createCatalogue } from '../bench/lib/catalogue.mjs';

type Catalogue = ((occurred?: Date) => Record<string, unknown>) & { json: (occurredIso?: string) => { id: string; json: string } };

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const masked = (text: string) => text.replace(UUID, '<uuid>');

// The load generators send the catalogue's JSON form; the raw baselines insert its object form. Both
// must be the same events, or the ratios compare different work.
describe('the bench catalogue', () => {
  for (const idKind of ['v7', 'v4']) {
    it(`writes each ${idKind} event as JSON.stringify writes its object form`, () => {
      // Two catalogues of one seed make the same events; only their random UUIDs differ.
      const objects = createCatalogue({ seed: 42, idKind, resources: 5000 }) as Catalogue;
      const texts = createCatalogue({ seed: 42, idKind, resources: 5000 }) as Catalogue;
      const occurred = new Date('2026-12-07T01:02:03.456Z');
      const names = new Set<string>();
      for (let i = 0; i < 12_000; i++) {
        const object = objects(occurred);
        const { id, json } = texts.json(occurred.toISOString());
        expect(masked(json)).toBe(masked(JSON.stringify(object)));
        expect(JSON.parse(json).id).toBe(id);
        names.add(String(object.event));
      }
      // Every kind of event came up, so every branch of both forms was compared.
      expect(names).toEqual(
        new Set([
          ...['Scheduled', 'Pending', 'Running', 'Completed', 'Failed', 'Cancelled', 'Crashed', 'Late'].map((s) => `prefect.flow-run.${s}`),
          ...['Pending', 'Running', 'Completed', 'Failed', 'Retrying'].map((s) => `prefect.task-run.${s}`),
          'prefect.deployment.updated',
          'prefect.work-pool.ready',
        ]),
      );
    });
  }
});
