import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineStateStore, NewJob } from './engine-state-store.js';

/*
 * The one contract of `EngineStateStore`, run against SQLite and PostgreSQL:
 *
 *   describeEngineStateStoreContract('sqlite', async () => ({ store, reopen, cleanup }));
 *
 * `open` returns a new, empty store; `reopen` opens the same data again after the store was closed (a restart).
 */

export type OpenEngineStateStore = () => Promise<{
  store: EngineStateStore;
  reopen: () => Promise<EngineStateStore>;
  cleanup: () => Promise<void>;
}>;

const job = (id: string, due: number, more: Partial<NewJob> = {}): NewJob => ({
  id,
  kind: 'action',
  automationId: 'a1',
  due,
  dependsOn: null,
  body: JSON.stringify({ id }),
  ...more,
});

export function describeEngineStateStoreContract(name: string, open: OpenEngineStateStore): void {
  describe(`EngineStateStore contract (${name})`, () => {
    let store: EngineStateStore;
    let reopen: () => Promise<EngineStateStore>;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, reopen, cleanup } = await open());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('starts empty at checkpoint 0', async () => {
      expect(await store.load()).toEqual({ records: [], checkpoint: 0, traces: [] });
      expect(await store.nextDue()).toBeNull();
      expect(await store.pendingCount()).toBe(0);
    });

    it('commits state, checkpoint, jobs and traces together, and they survive a reopen', async () => {
      await store.commit({
        state: [
          { key: 'b:1', value: '{"n":1}' },
          { key: 'b:2', value: 'x' },
        ],
        checkpoint: 7,
        newJobs: [job('j1', 100, { kind: 'state-event' }), job('j2', 100, { dependsOn: 'j1' })],
        traces: [{ automationId: 'a1', body: '[1]' }],
      });
      await store.commit({
        state: [
          { key: 'b:2', value: null },
          { key: 'b:1', value: 'y' },
          { key: 'b:1', value: 'z' },
          { key: 'b:3', value: 'new' },
          { key: 'b:3', value: null },
        ],
        checkpoint: 9,
        newJobs: [],
        traces: [{ automationId: 'a1', body: '[1,2]' }],
      });
      await store.close();
      store = await reopen();
      expect(await store.load()).toEqual({
        records: [{ key: 'b:1', value: 'z' }],
        checkpoint: 9,
        traces: [{ automationId: 'a1', body: '[1,2]' }],
      });
      expect(await store.pendingCount()).toBe(2);
    });

    it('never moves the checkpoint backwards', async () => {
      await store.commit({ state: [], checkpoint: 10, newJobs: [] });
      await store.commit({ state: [], checkpoint: 4, newJobs: [] });
      expect((await store.load()).checkpoint).toBe(10);
    });

    it('keeps the first job of an id (a replayed commit creates nothing twice)', async () => {
      await store.commit({ state: [], checkpoint: 1, newJobs: [job('j1', 5, { body: 'first' })] });
      await store.commit({ state: [], checkpoint: 2, newJobs: [job('j1', 6, { body: 'second' })] });
      const [only] = await store.due(100, 10);
      expect(only).toMatchObject({ id: 'j1', due: 5, body: 'first', attempts: 0, lastError: null });
    });

    it('returns due jobs in due then insertion order, holding a job back until the one it depends on completes', async () => {
      await store.commit({
        state: [],
        checkpoint: 1,
        newJobs: [
          job('s1', 50, { kind: 'state-event' }),
          job('a1', 50, { dependsOn: 's1' }),
          job('a2', 50, { dependsOn: 's1' }),
          job('later', 500),
          job('early', 10),
        ],
      });
      expect((await store.due(100, 10)).map((j) => j.id)).toEqual(['early', 's1']);
      expect(await store.nextDue()).toBe(10);
      await store.complete('s1');
      expect((await store.due(100, 10)).map((j) => j.id)).toEqual(['early', 'a1', 'a2']);
      expect((await store.due(100, 2, new Set(['early']))).map((j) => j.id)).toEqual(['a1', 'a2']);
      expect((await store.due(1000, 1)).map((j) => j.id)).toEqual(['early']);
      const [a1] = await store.due(100, 1, new Set(['early']));
      expect(a1).toMatchObject({ id: 'a1', kind: 'action', automationId: 'a1', dependsOn: 's1', body: '{"id":"a1"}' });
    });

    it('reschedules with attempts and the last error, persisted across a reopen', async () => {
      await store.commit({ state: [], checkpoint: 1, newJobs: [job('j1', 10)] });
      await store.reschedule('j1', 2, 300, 'HTTP 503');
      expect(await store.due(100, 10)).toEqual([]);
      await store.close();
      store = await reopen();
      const [j] = await store.due(300, 10);
      expect(j).toMatchObject({ id: 'j1', attempts: 2, due: 300, lastError: 'HTTP 503' });
      await store.complete('j1');
      expect(await store.pendingCount()).toBe(0);
    });

    it('completes many jobs at once', async () => {
      await store.commit({ state: [], checkpoint: 1, newJobs: [job('a', 1), job('b', 2), job('c', 3)] });
      await store.completeMany(['a', 'c', 'unknown']);
      await store.completeMany([]);
      expect((await store.due(10, 10)).map((j) => j.id)).toEqual(['b']);
    });

    it('stores large µs times exactly', async () => {
      const due = 1_795_000_000_000_000;
      await store.commit({ state: [], checkpoint: 123_456_789, newJobs: [job('j', due)] });
      expect(await store.nextDue()).toBe(due);
      expect((await store.load()).checkpoint).toBe(123_456_789);
    });

    it('deletes a trace with a null body', async () => {
      await store.commit({ state: [], checkpoint: 1, newJobs: [], traces: [{ automationId: 'a', body: '[]' }] });
      expect(await store.readTrace('a')).toBe('[]');
      await store.commit({ state: [], checkpoint: 1, newJobs: [], traces: [{ automationId: 'a', body: null }] });
      expect((await store.load()).traces).toEqual([]);
      expect(await store.readTrace('a')).toBeNull();
    });

    it('reads one automation’s saved trace', async () => {
      await store.commit({ state: [], checkpoint: 1, newJobs: [], traces: [{ automationId: 'a', body: '{"a":1}' }, { automationId: 'b', body: '{"b":2}' }] });
      expect([await store.readTrace('b'), await store.readTrace('a'), await store.readTrace('c')]).toEqual(['{"b":2}', '{"a":1}', null]);
    });
  });
}
