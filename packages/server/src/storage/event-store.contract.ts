import { formatDateTime, MICROS, parseDateTime, parseEventFilter, type Event, type EventFilterInput, type NormalizedEventFilter } from '@herald/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent } from '../ingestion/event-normalizer.js';
import type { EventRecord, EventStore, StoredEvent } from './ports.js';

/*
 * The one contract of `EventStore`, run against every adapter on its real database:
 *
 *   describeEventStoreContract('sqlite', async () => { … return { store, cleanup }; });
 *
 * `open` must return a new, empty store each time; `cleanup` closes it and removes its data. Events
 * are built by the real normaliser and filters by the real `parseEventFilter`, from wire JSON.
 */

export type OpenEventStore = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

const T0 = parseDateTime('2026-03-02T00:00:00Z')!;
const at = (minutes: number) => T0 + minutes * MICROS.minute;
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

interface Fixture extends Partial<Omit<Event, 'occurred' | 'id'>> {
  n: number;
  occurred: number;
}

/** A stored record, built as the ingestion pipeline builds it. */
function record({ n, occurred, ...rest }: Fixture, received = T0 + MICROS.day): EventRecord {
  const event: Event = {
    occurred: formatDateTime(occurred),
    event: 'acme.thing.happened',
    resource: { 'prefect.resource.id': `acme.thing.${n}` },
    related: [],
    payload: {},
    id: uuid(n),
    follows: null,
    ...rest,
  };
  const r = normalizeEvent(event, received, { maxEventBytes: 1_500_000, path: [] });
  if (!r.ok) throw new Error(`fixture ${n} is invalid`);
  return r.record;
}

/** A filter from wire JSON; the window defaults to [T0 - 1 h, T0 + 1 h]. */
function filter(wire: EventFilterInput = {}): NormalizedEventFilter {
  const parsed = parseEventFilter(
    { occurred: { since: formatDateTime(at(-60)), until: formatDateTime(at(60)) }, ...wire },
    { now: T0 + MICROS.day, missingUntil: 'now' },
  );
  if (!parsed.ok) throw new Error(`invalid filter ${JSON.stringify(wire)}`);
  return parsed.filter;
}

/** The fixture number of each stored event, from its JSON. */
const numbers = (events: readonly StoredEvent[]) => events.map((e) => parseInt((JSON.parse(e.json) as Event).id.slice(-12), 16));

const team = (id: string, role: string, more: Record<string, string> = {}) => ({ 'prefect.resource.id': id, 'prefect.resource.role': role, ...more });
const churn = 'acme.model.churn';

/**
 * The query fixture: q1..q9 one minute apart, q100 outside the default window. Followers (`follows`,
 * spelled as clients may): q2 and q3 follow q1, q5 follows q4, q9 follows q100.
 */
const QUERY_FIXTURES: Fixture[] = [
  { n: 100, occurred: at(-120), event: 'acme.model.refreshed', resource: { 'prefect.resource.id': churn, 'prefect.resource.name': 'old' } },
  {
    n: 1,
    occurred: at(1),
    event: 'acme.model.refreshed',
    resource: { 'prefect.resource.id': churn, 'prefect.resource.name': 'churn', env: 'prod' },
    related: [team('acme.team.data', 'owner', { team: 'data' })],
    payload: { rows: 1 },
  },
  {
    n: 2,
    occurred: at(2),
    event: 'acme.model.failed',
    resource: { 'prefect.resource.id': churn, 'prefect.resource.name': 'churn v2', env: 'dev' },
    related: [team('acme.team.ml', 'owner')],
    payload: { error: 'Timeout Reached' },
    follows: uuid(1),
  },
  {
    n: 3,
    occurred: at(3),
    event: 'acme.job.started',
    resource: { 'prefect.resource.id': 'acme.job.nightly', 'prefect.name': 'nightly' },
    related: [team(churn, 'target'), team('acme.team.data', 'owner')],
    follows: uuid(1).toUpperCase(),
  },
  {
    n: 4,
    occurred: at(4),
    event: 'prefect.flow-run.Completed',
    resource: { 'prefect.resource.id': 'prefect.flow-run.1', 'prefect.resource.name': 'run-1' },
    related: [team('prefect.flow.etl', 'flow', { 'prefect.resource.name': 'etl' })],
  },
  {
    n: 5,
    occurred: at(5),
    event: 'prefect.flow-run.Running',
    resource: { 'prefect.resource.id': 'prefect.flow-run.1', 'prefect.resource.name': 'run-1' },
    related: [team('prefect.flow.etl', 'flow')],
    follows: uuid(4).replace(/-/g, ''),
  },
  { n: 6, occurred: at(6), event: 'prefect.task-run.Running', resource: { 'prefect.resource.id': 'prefect.task-run.9' } },
  { n: 7, occurred: at(7), event: 'acme_x.other', resource: { 'prefect.resource.id': 'acme.other.1' } },
  { n: 8, occurred: at(8), event: 'acmeX.thing', resource: { 'prefect.resource.id': 'acme.other.2' } },
  {
    n: 9,
    occurred: at(9),
    event: 'prefect.task-run.Running',
    resource: { 'prefect.resource.id': 'prefect.task-run.10', 'prefect.resource.name': 'alpha' },
    payload: { follows: uuid(7) },
    follows: uuid(100),
  },
];

/** Events matching each wire filter, newest first: every filter field at least once. */
const FILTER_CASES: [string, EventFilterInput, number[]][] = [
  ['no conditions: the window', {}, [9, 8, 7, 6, 5, 4, 3, 2, 1]],
  ['occurred: both bounds inclusive', { occurred: { since: formatDateTime(at(2)), until: formatDateTime(at(4)) } }, [4, 3, 2]],
  ['event.prefix', { event: { prefix: ['prefect.flow-run.'] } }, [5, 4]],
  ['event.prefix: _ is literal', { event: { prefix: ['acme_'] } }, [7]],
  ['event.prefix: any of several', { event: { prefix: ['acme.', 'prefect.task-run.'] } }, [9, 6, 3, 2, 1]],
  ['event.exclude_prefix', { event: { exclude_prefix: ['acme', 'prefect.flow-run.'] } }, [9, 6]],
  ['event.name', { event: { name: ['acme.model.failed', 'acme.job.started'] } }, [3, 2]],
  ['event.exclude_name', { event: { exclude_name: ['acme.model.failed', 'prefect.task-run.Running'] } }, [8, 7, 5, 4, 3, 1]],
  ['resource.id: the primary only', { resource: { id: [churn] } }, [2, 1]],
  ['resource.id with labels on the same resource', { resource: { id: [churn, 'prefect.flow-run.1'], labels: { 'prefect.resource.name': 'run-*' } } }, [5, 4]],
  ['resource.id_prefix', { resource: { id_prefix: ['prefect.'] } }, [9, 6, 5, 4]],
  ['resource.labels: glob', { resource: { labels: { 'prefect.resource.name': 'churn*' } } }, [2, 1]],
  ['resource.labels: ? and class', { resource: { labels: { 'prefect.resource.name': 'run-[0-9]' } } }, [5, 4]],
  ['resource.labels: negation needs the label', { resource: { labels: { env: '!dev' } } }, [1]],
  ['resource.labels: no patterns match nothing', { resource: { labels: { 'prefect.resource.name': [] } } }, []],
  ['related.role', { related: { role: ['target'] } }, [3]],
  ['related.id: never the primary', { related: { id: [churn] } }, [3]],
  ['related.id', { related: { id: ['acme.team.data'] } }, [3, 1]],
  ['related.resources_in_roles: pairs are alternatives', { related: { resources_in_roles: [['acme.team.data', 'owner'], ['prefect.flow.etl', 'flow']] } }, [5, 4, 3, 1]],
  ['related.labels', { related: { labels: { team: 'data' } } }, [1]],
  ['related.labels on the role', { related: { labels: { 'prefect.resource.role': 'own*' } } }, [3, 2, 1]],
  ['related as a list: each element on its own', { related: [{ id: ['acme.team.data'] }, { role: ['target'] }] }, [3]],
  ['any_resource.id: primary or related', { any_resource: { id: [churn] } }, [3, 2, 1]],
  ['any_resource.id_prefix', { any_resource: { id_prefix: ['prefect.flow'] } }, [5, 4]],
  ['any_resource.labels', { any_resource: { labels: { 'prefect.resource.role': 'flow' } } }, [5, 4]],
  ['any_resource as a list', { any_resource: [{ id: [churn] }, { id: ['acme.team.ml'] }] }, [2]],
  ['id.id', { id: { id: [uuid(2), uuid(6).toUpperCase()] } }, [6, 2]],
  ['follows.id (Herald only): the followers of one event', { follows: { id: [uuid(1)] } }, [3, 2]],
  ['follows.id: any spelling, any of several', { follows: { id: [uuid(4).toUpperCase(), uuid(100).replace(/-/g, '')] } }, [9, 5]],
  ['follows.id: a leader outside the window', { follows: { id: [uuid(100)] } }, [9]],
  ['follows.id: the top-level follows only, not a payload key', { follows: { id: [uuid(7)] } }, []],
  ['follows.id with a resource condition', { follows: { id: [uuid(1)] }, any_resource: { id: [churn] }, event: { prefix: ['acme.job.'] } }, [3]],
  ['follows.id ASC', { follows: { id: [uuid(1), uuid(4)] }, order: 'ASC' }, [2, 3, 5]],
  ['text: case-insensitive', { text: { query: 'timeout' } }, [2]],
  ['text: required terms', { text: { query: '+nightly +target' } }, [3]],
  ['text: excluded terms', { text: { query: 'run-1 -completed' } }, [5]],
  ['order ASC', { order: 'ASC', event: { prefix: ['prefect.'] } }, [4, 5, 6, 9]],
];

export function describeEventStoreContract(name: string, open: OpenEventStore): void {
  describe(`EventStore contract: ${name}`, () => {
    describe('append and read back', () => {
      let store: EventStore;
      let cleanup: () => Promise<void>;
      beforeAll(async () => ({ store, cleanup } = await open()));
      afterAll(() => cleanup());

      it('stores the canonical JSON byte for byte and finds it by id, log and query', async () => {
        const unusual = record({
          n: 1,
          occurred: at(1) + 123_456,
          event: 'acme.ünïcødé.🚀',
          resource: { 'prefect.resource.id': 'acme.x', 'prefect.resource.name': 'naïve "quoted" \\ name', '': 'empty label' },
          // A computed key: a literal `__proto__:` would set the prototype instead of adding a label.
          related: [team('acme.y', 'owner', { ['__proto__']: 'not a prototype', 'a.b': '日本語' })],
          payload: { text: 'line\nbreak\u2028', nested: { list: [1, 2.5, -0, true, null, { deep: 'x'.repeat(100_000) }] } },
        });
        const { results, seqs, lastSeq } = await store.append([unusual]);
        expect(results).toEqual(['inserted']);
        expect(seqs[0]).toBeGreaterThan(0);
        expect(lastSeq).toBe(seqs[0]);
        expect(await store.get(uuid(1))).toEqual({ json: unusual.json, occurred: unusual.occurred, seq: seqs[0] });
        expect(await store.readLog(0, 10)).toEqual([{ seq: seqs[0], json: unusual.json }]);
        expect(await store.page({ filter: filter({ any_resource: { labels: { 'a.b': '日本*' } } }), limit: 5 })).toEqual([
          { json: unusual.json, occurred: unusual.occurred, seq: seqs[0] },
        ]);
        expect(await store.count(filter({ related: { labels: { ['__proto__']: 'not a *' } } }))).toBe(1);
        expect(await store.get(uuid(999))).toBeNull();
        expect(await store.get('not-a-uuid')).toBeNull();
      });

      it('acknowledges a resend as duplicate and different content as conflict; the first write wins', async () => {
        const first = record({ n: 2, occurred: at(2), resource: { 'prefect.resource.id': 'a', x: '1', y: '2' }, payload: { v: 1 } });
        const { seqs, lastSeq } = await store.append([first]);
        const resend = record({ n: 2, occurred: at(2), resource: { 'prefect.resource.id': 'a', x: '1', y: '2' }, payload: { v: 1 } }, T0 + 2 * MICROS.day);
        const reordered = record({ n: 2, occurred: at(2), resource: { y: '2', x: '1', 'prefect.resource.id': 'a' }, payload: { v: 1 } });
        const changed = record({ n: 2, occurred: at(2), resource: { 'prefect.resource.id': 'a', x: '1', y: '2' }, payload: { v: 2 } });
        expect(resend.json).not.toBe(first.json);
        expect(await store.append([resend, reordered, changed])).toEqual({ results: ['duplicate', 'duplicate', 'conflict'], seqs: [0, 0, 0], lastSeq });
        expect(await store.get(uuid(2))).toEqual({ json: first.json, occurred: first.occurred, seq: seqs[0] });
        expect(await store.lastSeq()).toBe(lastSeq);
      });

      it('keeps the first occurrence of an id within one batch', async () => {
        const a = record({ n: 3, occurred: at(3), payload: { v: 'first' } });
        const b = record({ n: 4, occurred: at(4) });
        const again = record({ n: 3, occurred: at(3), payload: { v: 'first' } }, T0 + 3 * MICROS.day);
        const other = record({ n: 3, occurred: at(3), payload: { v: 'second' } });
        const { results, seqs, lastSeq } = await store.append([a, again, b, other]);
        expect(results).toEqual(['inserted', 'duplicate', 'inserted', 'conflict']);
        expect(seqs[1]).toBe(0);
        expect(seqs[3]).toBe(0);
        expect(seqs[2]).toBeGreaterThan(seqs[0]!);
        expect(lastSeq).toBe(seqs[2]);
        expect((await store.get(uuid(3)))?.json).toBe(a.json);
        expect(await store.count(filter({ id: { id: [uuid(3)] } }))).toBe(1);
      });

      it('stores follows as sent (any spelling is the same id) and finds the followers by it', async () => {
        const leader = record({ n: 20, occurred: at(20) });
        const followers = [
          record({ n: 21, occurred: at(21), follows: uuid(20) }),
          record({ n: 22, occurred: at(22) + 1, follows: uuid(20).toUpperCase() }),
          record({ n: 23, occurred: at(23), follows: uuid(21) }),
        ];
        const byFollows = (ids: string[], order: 'ASC' | 'DESC' = 'DESC') => filter({ follows: { id: ids }, order });
        // Followers before their leader, in one batch with it: follows is a plain value, never a reference.
        await store.append([...followers, leader]);
        expect(numbers(await store.page({ filter: byFollows([uuid(20)]), limit: 10 }))).toEqual([22, 21]);
        expect(numbers(await store.page({ filter: byFollows([uuid(20)], 'ASC'), limit: 1 }))).toEqual([21]);
        expect(await store.count(byFollows([uuid(20), uuid(21)]))).toBe(3);
        expect(await store.count(byFollows([uuid(23)]))).toBe(0);
        expect((JSON.parse((await store.get(uuid(22)))!.json) as Event).follows).toBe(uuid(20));
        // A resend with another follows is a conflict: the stored follows stays.
        expect((await store.append([record({ n: 21, occurred: at(21), follows: uuid(23) })])).results).toEqual(['conflict']);
        expect(await store.count(byFollows([uuid(23)]))).toBe(0);
        expect(numbers(await store.page({ filter: byFollows([uuid(20)]), limit: 10 }))).toEqual([22, 21]);
      });

      it('reads the log in seq order after a position, and lastSeq is its end', async () => {
        const batch = [10, 11, 12, 13, 14].map((n) => record({ n, occurred: at(60 - n) }));
        const { seqs, lastSeq } = await store.append(batch);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(new Set(seqs).size).toBe(5);
        expect(await store.lastSeq()).toBe(lastSeq);
        expect(await store.readLog(seqs[0]!, 3)).toEqual(batch.slice(1, 4).map((r, i) => ({ seq: seqs[i + 1], json: r.json })));
        expect(await store.readLog(lastSeq, 10)).toEqual([]);
        expect(await store.readLog(0, 0)).toEqual([]);
        const log = await store.readLog(0, 100);
        expect(log.map((e) => e.seq)).toEqual([...log.map((e) => e.seq)].sort((x, y) => x - y));
        expect(log).toHaveLength(13);
        expect(await store.sizeBytes()).toBeGreaterThan(0);
      });
    });

    describe('queries', () => {
      let store: EventStore;
      let cleanup: () => Promise<void>;
      beforeAll(async () => {
        ({ store, cleanup } = await open());
        // Out of occurred order, so that log order and time order differ.
        await store.append([...QUERY_FIXTURES].reverse().map((f) => record(f)));
      });
      afterAll(() => cleanup());

      for (const [title, wire, expected] of FILTER_CASES) {
        it(`filters by ${title}`, async () => {
          expect(numbers(await store.page({ filter: filter(wire), limit: 50 }))).toEqual(expected);
          expect(await store.count(filter(wire))).toBe(expected.length);
        });
      }

      it('pages by keyset, strictly after the cursor, in both orders', async () => {
        for (const order of ['DESC', 'ASC'] as const) {
          const f = filter({ order });
          const first = await store.page({ filter: f, limit: 4 });
          const last = first.at(-1)!;
          const second = await store.page({ filter: f, limit: 4, after: { occurred: last.occurred, seq: last.seq } });
          const all = numbers(await store.page({ filter: f, limit: 50 }));
          expect([...numbers(first), ...numbers(second)]).toEqual(all.slice(0, 8));
        }
        expect(await store.page({ filter: filter(), limit: 0 })).toEqual([]);
      });

      it('keeps one event per primary resource with distinct: the newest (DESC) or the oldest (ASC)', async () => {
        const desc = filter({ resource: { distinct: true } });
        expect(numbers(await store.page({ filter: desc, limit: 50 }))).toEqual([9, 8, 7, 6, 5, 3, 2]);
        expect(numbers(await store.page({ filter: filter({ resource: { distinct: true }, order: 'ASC' }), limit: 50 }))).toEqual([1, 3, 4, 6, 7, 8, 9]);
        expect(await store.count(desc)).toBe(7);
        const page = await store.page({ filter: desc, limit: 4 });
        const rest = await store.page({ filter: desc, limit: 4, after: { occurred: page.at(-1)!.occurred, seq: page.at(-1)!.seq } });
        expect([...numbers(page), ...numbers(rest)]).toEqual([9, 8, 7, 6, 5, 3, 2]);
        const narrowed = filter({ resource: { distinct: true }, event: { name: ['acme.model.refreshed', 'prefect.flow-run.Completed'] } });
        expect(numbers(await store.page({ filter: narrowed, limit: 50 }))).toEqual([4, 1]);
      });

      it('counts by time on the absolute grid floor((occurred - pivot) / delta), negative buckets included', async () => {
        expect(await store.countByTime(filter(), { pivot: at(5), delta: 2 * MICROS.minute })).toEqual([
          { bucket: -2, count: 2 },
          { bucket: -1, count: 2 },
          { bucket: 0, count: 2 },
          { bucket: 1, count: 2 },
          { bucket: 2, count: 1 },
        ]);
        // One microsecond past a minute: q3 is 1 µs before the pivot, so its bucket is -1, not 0.
        expect(await store.countByTime(filter({ event: { prefix: ['acme.'] } }), { pivot: at(3) + 1, delta: MICROS.minute })).toEqual([
          { bucket: -3, count: 1 },
          { bucket: -2, count: 1 },
          { bucket: -1, count: 1 },
        ]);
        expect(await store.countByTime(filter({ event: { name: ['none'] } }), { pivot: T0, delta: MICROS.day })).toEqual([]);
      });

      it('counts by event name: count desc, then name asc, with first and last occurred', async () => {
        const rows = await store.countByEvent(filter({ event: { prefix: ['prefect.', 'acme.model.'] } }));
        expect(rows).toEqual([
          { value: 'prefect.task-run.Running', label: 'prefect.task-run.Running', count: 2, first: at(6), last: at(9) },
          { value: 'acme.model.failed', label: 'acme.model.failed', count: 1, first: at(2), last: at(2) },
          { value: 'acme.model.refreshed', label: 'acme.model.refreshed', count: 1, first: at(1), last: at(1) },
          { value: 'prefect.flow-run.Completed', label: 'prefect.flow-run.Completed', count: 1, first: at(4), last: at(4) },
          { value: 'prefect.flow-run.Running', label: 'prefect.flow-run.Running', count: 1, first: at(5), last: at(5) },
        ]);
      });

      it('counts by primary resource, labelled from its newest matching event: name, prefect.name, id', async () => {
        const rows = await store.countByResource(filter());
        expect(rows.map((r) => [r.value, r.label, r.count])).toEqual([
          [churn, 'churn v2', 2],
          ['prefect.flow-run.1', 'run-1', 2],
          ['acme.other.1', 'acme.other.1', 1],
          ['acme.other.2', 'acme.other.2', 1],
          ['prefect.task-run.10', 'alpha', 1],
          ['acme.job.nightly', 'nightly', 1],
          ['prefect.task-run.9', 'prefect.task-run.9', 1],
        ]);
        expect(rows[0]).toMatchObject({ first: at(1), last: at(2) });
        const older = await store.countByResource(filter({ event: { name: ['acme.model.refreshed'] } }));
        expect(older).toEqual([{ value: churn, label: 'churn', count: 1, first: at(1), last: at(1) }]);
      });
    });

    describe('paging through equal occurred values', () => {
      let store: EventStore;
      let cleanup: () => Promise<void>;
      const expected: { n: number; occurred: number; seq: number }[] = [];
      beforeAll(async () => {
        ({ store, cleanup } = await open());
        // 60 events on 5 distinct instants, appended in a scrambled order over three batches.
        const fixtures = Array.from({ length: 60 }, (_, i) => ({ n: 1000 + i, occurred: at((i * 7) % 5) }));
        for (const batch of [fixtures.slice(0, 25), fixtures.slice(25, 26), fixtures.slice(26)]) {
          const { seqs } = await store.append(batch.map((f) => record(f)));
          batch.forEach((f, i) => expected.push({ n: f.n, occurred: f.occurred, seq: seqs[i]! }));
        }
        expected.sort((a, b) => a.occurred - b.occurred || a.seq - b.seq);
      });
      afterAll(() => cleanup());

      for (const order of ['ASC', 'DESC'] as const) {
        it(`never overlaps or skips (${order})`, async () => {
          const f = filter({ order });
          const seen: number[] = [];
          let after: { occurred: number; seq: number } | undefined;
          for (let pages = 0; pages < 20; pages++) {
            const page = await store.page({ filter: f, limit: 7, after });
            if (page.length === 0) break;
            seen.push(...numbers(page));
            after = { occurred: page.at(-1)!.occurred, seq: page.at(-1)!.seq };
          }
          const want = order === 'ASC' ? expected : [...expected].reverse();
          expect(seen).toEqual(want.map((e) => e.n));
        });
      }
    });

    describe('retention', () => {
      let store: EventStore;
      let cleanup: () => Promise<void>;
      beforeAll(async () => ({ store, cleanup } = await open()));
      afterAll(() => cleanup());

      it('removes events older than the cutoff with their resources, and never reuses a seq', async () => {
        const related = [team('acme.team.old', 'owner')];
        const old = [1, 2, 3].map((n) => record({ n, occurred: T0 - n * MICROS.day, related }));
        const kept = [4, 5].map((n) => record({ n, occurred: T0 + n * MICROS.minute, related }));
        const { lastSeq } = await store.append([...old, ...kept]);
        expect(await store.purgeBefore(T0 - MICROS.day)).toBe(2);
        expect(await store.get(uuid(2))).toBeNull();
        expect(await store.get(uuid(1))).not.toBeNull();
        const wide = filter({ occurred: { since: formatDateTime(T0 - 10 * MICROS.day), until: formatDateTime(T0 + MICROS.day) }, related: { id: ['acme.team.old'] } });
        expect(numbers(await store.page({ filter: wide, limit: 50 }))).toEqual([5, 4, 1]);
        expect(await store.purgeBefore(T0 - MICROS.day)).toBe(0);
        expect(await store.purgeBefore(T0 + MICROS.day)).toBe(3);
        expect(await store.count(wide)).toBe(0);
        expect(await store.readLog(0, 10)).toEqual([]);
        const { seqs } = await store.append([record({ n: 6, occurred: T0, related })]);
        expect(seqs[0]).toBeGreaterThan(lastSeq);
        expect(numbers(await store.page({ filter: wide, limit: 50 }))).toEqual([6]);
      });
    });
  });
}
