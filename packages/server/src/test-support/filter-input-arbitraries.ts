import {
  formatDateTime,
  RESOURCE_ID_LABEL,
  RESOURCE_ROLE_LABEL,
  type AnyResourceFilterInput,
  type EventFilterInput,
  type ReceivedEvent,
  type RelatedFilterInput,
  type Resource,
  type ResourceSpecification,
} from '@herald/core';
import fc from 'fast-check';
import { INSTANTS, patternArb, prefixOf, word, type Pools } from './event-dataset-arbitraries.js';

/*
 * Random wire filters for the differential test. Each part is either fully random (drawn from the
 * dataset's pools) or derived from one stored event, so that many filters match some events but not
 * all: a filter that matches nothing or everything proves little.
 */

/** One arbitrary per part of the wire filter (all but `order`). */
export type FilterPartArbs = { [K in Exclude<keyof EventFilterInput, 'order'>]-?: fc.Arbitrary<NonNullable<EventFilterInput[K]>> };

const PART_NAMES = ['occurred', 'event', 'resource', 'related', 'any_resource', 'id', 'follows', 'text'] as const;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const some = <T>(values: readonly T[]) => fc.subarray([...values], { minLength: 1, maxLength: Math.min(3, values.length) });
const oneOrMany = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 2 }));
/** The given values plus maybe a few from the pool. */
const including = <T>(values: readonly T[], pool: readonly T[]) =>
  fc.subarray([...pool], { maxLength: Math.min(2, pool.length) }).map((extra) => [...values, ...extra]);

/** Each filter part, random or derived from a random stored event. */
export function filterPartArbs(pools: Pools, events: readonly ReceivedEvent[]): FilterPartArbs {
  const random = randomParts(pools, events);
  const derived = fc.constantFrom(...events).map((e) => derivedParts(pools, e, random));
  const either = <T>(r: fc.Arbitrary<T>, d: fc.Arbitrary<T>) => fc.oneof({ arbitrary: r, weight: 1 }, { arbitrary: d, weight: 2 });
  return {
    occurred: either(
      random.occurred,
      derived.chain((d) => d.occurred),
    ),
    event: either(
      random.event,
      derived.chain((d) => d.event),
    ),
    resource: either(
      random.resource,
      derived.chain((d) => d.resource),
    ),
    related: either(
      random.related,
      derived.chain((d) => d.related),
    ),
    any_resource: either(
      random.any_resource,
      derived.chain((d) => d.any_resource),
    ),
    id: either(
      random.id,
      derived.chain((d) => d.id),
    ),
    follows: either(
      random.follows,
      derived.chain((d) => d.follows),
    ),
    text: either(
      random.text,
      derived.chain((d) => d.text),
    ),
  };
}

/** Two to four parts, all derived from the same stored event (which then usually matches). */
export function eventDerivedFilterArb(pools: Pools, events: readonly ReceivedEvent[]): fc.Arbitrary<EventFilterInput> {
  const random = randomParts(pools, events);
  return fc.tuple(fc.constantFrom(...events), fc.subarray([...PART_NAMES], { minLength: 2, maxLength: 4 })).chain(([event, names]) => {
    const derived = derivedParts(pools, event, random);
    return fc.record(Object.fromEntries(names.map((n) => [n, derived[n]]))).map((filter) => filter as EventFilterInput);
  });
}

function randomParts(pools: Pools, events: readonly ReceivedEvent[]): FilterPartArbs {
  // An instant of the dataset or a few seconds from one: the instants lie in clusters years apart.
  const instant = fc.oneof(
    fc.constantFrom(...INSTANTS),
    fc.constantFrom(...INSTANTS).chain((at) => fc.integer({ min: at - 2_000_000, max: at + 2_000_000 })),
  );
  const textTerm = fc.oneof(fc.constantFrom(...pools.values, ...pools.eventNames, ...pools.labelKeys, ...pools.roles), word(3));
  return {
    occurred: fc.record({ since: instant.map(formatDateTime), until: fc.option(instant.map(formatDateTime)) }, { requiredKeys: [] }),
    event: fc.record(
      {
        prefix: fc.array(prefixOf(pools.eventNames), { minLength: 1, maxLength: 3 }),
        exclude_prefix: fc.array(prefixOf(pools.eventNames), { minLength: 1, maxLength: 2 }),
        name: some(pools.eventNames),
        exclude_name: some(pools.eventNames),
      },
      { requiredKeys: [] },
    ),
    resource: fc.record(
      {
        id: some(pools.resourceIds),
        id_prefix: fc.array(prefixOf(pools.resourceIds), { minLength: 1, maxLength: 2 }),
        labels: specArb(pools),
      },
      { requiredKeys: [] },
    ),
    related: oneOrMany<RelatedFilterInput>(
      fc.record(
        {
          id: some(pools.resourceIds),
          role: some(pools.roles),
          resources_in_roles: fc.array(fc.tuple(fc.constantFrom(...pools.resourceIds), fc.constantFrom(...pools.roles)), {
            minLength: 1,
            maxLength: 3,
          }),
          labels: specArb(pools),
        },
        { requiredKeys: [] },
      ),
    ),
    any_resource: oneOrMany<AnyResourceFilterInput>(
      fc.record(
        {
          id: some(pools.resourceIds),
          id_prefix: fc.array(prefixOf(pools.resourceIds), { minLength: 1, maxLength: 2 }),
          labels: specArb(pools),
        },
        { requiredKeys: [] },
      ),
    ),
    id: some([...events.slice(0, 8).map((e) => e.id), UNKNOWN_ID]).chain((ids) => fc.tuple(...ids.map(idSpelling)).map((id) => ({ id }))),
    // A leader, an event id (which few follow) or an id nothing follows.
    follows: some([...pools.leaderIds, events[0]!.id, UNKNOWN_ID]).chain((ids) => fc.tuple(...ids.map(idSpelling)).map((id) => ({ id }))),
    text: fc
      .array(textToken(textTerm, ['', '', '-', '!', '+']), { minLength: 1, maxLength: 3 })
      .map((tokens) => ({ query: tokens.join(' ') })),
  };
}

/** Parts that the event satisfies unless a random exclusion, negation or window edge says otherwise. */
function derivedParts(pools: Pools, e: ReceivedEvent, random: FilterPartArbs): FilterPartArbs {
  const occurred = Date.parse(e.occurred) * 1000;
  const resources = [e.resource, ...e.related];
  const at = (...instants: number[]) => fc.constantFrom(...instants).map(formatDateTime);
  return {
    // The window's edges fall on the event itself half the time: both bounds are inclusive.
    occurred: fc.record({ since: at(occurred - 3_000_000, occurred), until: at(occurred, occurred + 3_000_000) }, { requiredKeys: [] }),
    event: fc.record(
      {
        prefix: including([e.event], pools.eventNames).chain((names) => fc.tuple(...names.map((n) => prefixOf([n])))),
        exclude_prefix: fc.array(
          prefixOf(pools.eventNames).filter((x) => x !== ''),
          { minLength: 1, maxLength: 2 },
        ),
        name: including([e.event], pools.eventNames),
        exclude_name: some(pools.eventNames),
      },
      { requiredKeys: [] },
    ),
    resource: resourceFilterArb(pools, e.resource),
    related: e.related.length === 0 ? random.related : oneOrMany(fc.constantFrom(...e.related).chain((r) => relatedFilterArb(pools, r))),
    any_resource: oneOrMany(fc.constantFrom(...resources).chain((r) => resourceFilterArb(pools, r))),
    id: including([e.id], [UNKNOWN_ID]).chain((ids) => fc.tuple(...ids.map(idSpelling)).map((id) => ({ id }))),
    follows:
      e.follows === null
        ? random.follows
        : including([e.follows], [UNKNOWN_ID]).chain((ids) => fc.tuple(...ids.map(idSpelling)).map((id) => ({ id }))),
    text: fc
      .array(textToken(substringOf(JSON.stringify([e.event, e.resource, e.related, e.payload])), ['', '', '', '+', '-']), {
        minLength: 1,
        maxLength: 2,
      })
      .map((t) => ({ query: t.join(' ') })),
  };
}

function resourceFilterArb(pools: Pools, r: Resource): fc.Arbitrary<AnyResourceFilterInput> {
  const id = r[RESOURCE_ID_LABEL]!;
  return fc.record(
    {
      id: including([id], pools.resourceIds),
      id_prefix: including([id], pools.resourceIds).chain((ids) => fc.tuple(...ids.map((i) => prefixOf([i])))),
      labels: specFromResource(pools, r),
    },
    { requiredKeys: [] },
  );
}

function relatedFilterArb(pools: Pools, r: Resource): fc.Arbitrary<RelatedFilterInput> {
  const id = r[RESOURCE_ID_LABEL]!;
  const role = r[RESOURCE_ROLE_LABEL]!;
  return fc.record(
    {
      id: including([id], pools.resourceIds),
      role: including([role], pools.roles),
      resources_in_roles: including<[string, string]>(
        [[id, role]],
        [
          [id, pools.roles[0]!],
          [pools.resourceIds[0]!, role],
        ],
      ),
      labels: specFromResource(pools, r),
    },
    { requiredKeys: [] },
  );
}

/** Label conditions on the resource's own labels (patterns derived from its values), maybe one it lacks. */
function specFromResource(pools: Pools, r: Resource): fc.Arbitrary<ResourceSpecification> {
  const labels = Object.keys(r);
  return fc
    .tuple(
      fc.subarray(labels, { minLength: 1, maxLength: Math.min(2, labels.length) }),
      fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, fc.constantFrom(...pools.labelKeys)),
    )
    .chain(([own, other]) => {
      const keys = [...new Set(other === null ? own : [...own, other])];
      const patterns = keys.map((k) => {
        const values = Object.hasOwn(r, k) ? [r[k]!] : pools.values;
        const own = patternArb(values, 0);
        return fc.oneof(
          { arbitrary: own, weight: 3 },
          { arbitrary: fc.tuple(own, fc.array(patternArb(pools.values), { maxLength: 2 })).map(([a, rest]) => [a, ...rest]), weight: 1 },
        );
      });
      return fc.tuple(...patterns).map((p) => Object.fromEntries(keys.map((k, i) => [k, p[i]!])));
    });
}

function specArb(pools: Pools): fc.Arbitrary<ResourceSpecification> {
  const keys = [...pools.labelKeys, RESOURCE_ID_LABEL, RESOURCE_ROLE_LABEL];
  return fc.uniqueArray(fc.constantFrom(...keys), { minLength: 1, maxLength: 2 }).chain((labels) =>
    fc
      .tuple(
        ...labels.map((label) => {
          const values = label === RESOURCE_ID_LABEL ? pools.resourceIds : label === RESOURCE_ROLE_LABEL ? pools.roles : pools.values;
          return fc.oneof(
            { arbitrary: patternArb(values), weight: 3 },
            { arbitrary: fc.array(patternArb(values), { maxLength: 3 }), weight: 2 },
          );
        }),
      )
      .map((patterns) => Object.fromEntries(labels.map((label, i) => [label, patterns[i]!]))),
  );
}

/** The id as a client may spell it: canonical, upper case, or without hyphens. */
function idSpelling(id: string): fc.Arbitrary<string> {
  return fc.constantFrom(id, id.toUpperCase(), id.replace(/-/g, ''));
}

/** A short substring of the text, cut on code point boundaries. */
function substringOf(text: string): fc.Arbitrary<string> {
  const points = Array.from(text);
  return fc
    .tuple(fc.nat(points.length - 1), fc.integer({ min: 1, max: 6 }))
    .map(([start, length]) => points.slice(start, start + length).join(''));
}

/** One query token: maybe `-`/`!`/`+`, maybe upper-cased, quoted when it holds spaces or quotes. */
function textToken(term: fc.Arbitrary<string>, prefixes: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...prefixes), term, fc.boolean()).map(([prefix, raw, upper]) => {
    const t = upper ? raw.toUpperCase() : raw;
    return /[\s"]/.test(t) || t === '' ? `${prefix}"${t.replace(/[\\"]/g, '\\$&')}"` : `${prefix}${t}`;
  });
}
