import { formatDateTime, parseDateTime, type Automation } from '@herald/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionRecord, Storage } from './ports.js';

/*
 * The one contract of `AutomationStore` and `ConnectionStore`, run against every adapter on its real
 * database:
 *
 *   describeAutomationStoreContract('sqlite', async () => { … return { storage, cleanup }; });
 *
 * `open` must return new, empty storage each time; `cleanup` closes it and removes its data.
 */

export type OpenAutomationStorage = () => Promise<{ storage: Storage; cleanup: () => Promise<void> }>;

const T0 = parseDateTime('2026-03-02T00:00:00Z')!;
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function automation(n: number, overrides: Partial<Automation> = {}): Automation {
  const time = formatDateTime(T0 + n * 1_000_000);
  return {
    id: uuid(n),
    created: time,
    updated: time,
    name: `automation ${n}`,
    description: '',
    enabled: true,
    tags: [],
    trigger: {
      type: 'event',
      id: uuid(1000 + n),
      match: { 'prefect.resource.id': 'acme.*' },
      match_related: {},
      after: [],
      expect: ['acme.thing.happened'],
      for_each: [],
      posture: 'Reactive',
      threshold: 1,
      within: 0,
    },
    actions: [{ type: 'do-nothing' }],
    actions_on_trigger: [],
    actions_on_resolve: [],
    ...overrides,
  };
}

function connection(n: number, overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    id: uuid(2000 + n),
    name: `connection ${n}`,
    kind: 'webhook',
    settings: { method: 'POST' },
    secretNames: ['url'],
    sealedSecrets: `sealed-${n}`,
    created: T0 + n,
    updated: T0 + n,
    ...overrides,
  };
}

export function describeAutomationStoreContract(dialect: string, open: OpenAutomationStorage): void {
  describe(`AutomationStore and ConnectionStore contract (${dialect})`, () => {
    let storage: Storage;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ storage, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup?.();
    });

    it('stores an automation as given and reads it back by id, listed by creation time', async () => {
      const a = automation(2, { tags: ['b', 'a'], description: 'd é ✓' });
      const b = automation(1);
      await storage.automations.insertAutomation(a, []);
      await storage.automations.insertAutomation(b, []);
      expect(await storage.automations.getAutomation(a.id)).toEqual(a);
      expect(await storage.automations.getAutomation(uuid(99))).toBeNull();
      expect(await storage.automations.listAutomations()).toEqual([b, a]);
      expect(await storage.automations.countAutomations()).toBe(2);
    });

    it('refuses a second automation with the same id', async () => {
      await storage.automations.insertAutomation(automation(1), []);
      await expect(storage.automations.insertAutomation(automation(1, { name: 'again' }), [])).rejects.toThrow();
      expect((await storage.automations.getAutomation(uuid(1)))!.name).toBe('automation 1');
    });

    it('replaces an automation on update, and reports a missing one', async () => {
      await storage.automations.insertAutomation(automation(1), []);
      const changed = automation(1, { name: 'renamed', enabled: false, updated: formatDateTime(T0 + 60_000_000) });
      expect(await storage.automations.updateAutomation(changed)).toBe(true);
      expect(await storage.automations.getAutomation(uuid(1))).toEqual(changed);
      expect(await storage.automations.updateAutomation(automation(5))).toBe(false);
      expect(await storage.automations.countAutomations()).toBe(1);
    });

    it('keeps relations in the order they were made and never downgrades an owner', async () => {
      await storage.automations.insertAutomation(automation(1), [
        { resourceId: 'acme.team.d', owned: true },
        { resourceId: 'acme.team.e', owned: false },
        { resourceId: 'acme.team.d', owned: false },
      ]);
      await storage.automations.insertAutomation(automation(2), [{ resourceId: 'acme.team.e', owned: true }]);
      expect(await storage.automations.automationRelations(uuid(1))).toEqual([
        { resourceId: 'acme.team.d', owned: true },
        { resourceId: 'acme.team.e', owned: false },
      ]);
      expect((await storage.automations.automationsRelatedTo('acme.team.e')).map((a) => a.id)).toEqual([uuid(1), uuid(2)]);
      expect((await storage.automations.automationsRelatedTo('acme.team.d')).map((a) => a.id)).toEqual([uuid(1)]);
      expect(await storage.automations.automationsRelatedTo('acme.team.none')).toEqual([]);
    });

    it('deletes an automation with its relations', async () => {
      await storage.automations.insertAutomation(automation(1), [{ resourceId: 'acme.team.d', owned: true }]);
      await storage.automations.insertAutomation(automation(2), [{ resourceId: 'acme.team.d', owned: false }]);
      expect(await storage.automations.deleteAutomation(uuid(1))).toBe(true);
      expect(await storage.automations.deleteAutomation(uuid(1))).toBe(false);
      expect(await storage.automations.getAutomation(uuid(1))).toBeNull();
      expect(await storage.automations.automationRelations(uuid(1))).toEqual([]);
      expect((await storage.automations.automationsRelatedTo('acme.team.d')).map((a) => a.id)).toEqual([uuid(2)]);
    });

    it('deletes only the automations owned by a resource and created at or before the cutoff', async () => {
      await storage.automations.insertAutomation(automation(1), [{ resourceId: 'acme.team.d', owned: true }]);
      await storage.automations.insertAutomation(automation(2), [{ resourceId: 'acme.team.d', owned: false }]);
      await storage.automations.insertAutomation(automation(3), [{ resourceId: 'acme.team.d', owned: true }]);
      await storage.automations.insertAutomation(automation(4), [
        { resourceId: 'acme.team.x', owned: true },
        { resourceId: 'acme.team.d', owned: true },
      ]);
      // automation 3 was created after the cutoff.
      const deleted = await storage.automations.deleteAutomationsOwnedBy('acme.team.d', T0 + 2_000_000);
      expect(deleted.sort()).toEqual([uuid(1)]);
      const later = await storage.automations.deleteAutomationsOwnedBy('acme.team.d', T0 + 10_000_000);
      expect(later.sort()).toEqual([uuid(3), uuid(4)]);
      expect((await storage.automations.listAutomations()).map((a) => a.id)).toEqual([uuid(2)]);
      expect(await storage.automations.automationRelations(uuid(4))).toEqual([]);
      expect(await storage.automations.automationsRelatedTo('acme.team.x')).toEqual([]);
      expect(await storage.automations.deleteAutomationsOwnedBy('acme.team.none', T0 + 10_000_000)).toEqual([]);
    });

    it('stores connections and replaces, lists and deletes them', async () => {
      const a = connection(2, { kind: 'email', settings: { host: 'smtp.acme', port: 25, to: ['a@acme'] }, secretNames: [] });
      const b = connection(1);
      await storage.connections.insertConnection(a);
      await storage.connections.insertConnection(b);
      expect(await storage.connections.getConnection(a.id)).toEqual(a);
      expect(await storage.connections.getConnection(uuid(99))).toBeNull();
      expect(await storage.connections.listConnections()).toEqual([b, a]);
      const changed = { ...b, name: 'renamed', secretNames: ['headers', 'url'], sealedSecrets: 'sealed-again', updated: T0 + 99 };
      expect(await storage.connections.updateConnection(changed)).toBe(true);
      expect(await storage.connections.getConnection(b.id)).toEqual(changed);
      expect(await storage.connections.updateConnection(connection(7))).toBe(false);
      expect(await storage.connections.deleteConnection(a.id)).toBe(true);
      expect(await storage.connections.deleteConnection(a.id)).toBe(false);
      expect(await storage.connections.listConnections()).toEqual([changed]);
    });
  });
}
