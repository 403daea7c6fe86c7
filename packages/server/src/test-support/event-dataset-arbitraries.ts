import { formatDateTime, MICROS, RESOURCE_ID_LABEL, RESOURCE_ROLE_LABEL, type Event, type JsonValue } from '@herald/core';
import fc from 'fast-check';

/*
 * Random events for the differential test. The alphabets are small on purpose, so that
 * values collide and filters hit; and they are full of what breaks SQL: glob metacharacters, LIKE
 * wildcards, quotes, backslashes, mixed and non-ASCII case, astral characters and newlines.
 */

const CHARS = [
  'a',
  'b',
  'c',
  'A',
  'B',
  'z',
  '.',
  '_',
  '%',
  '*',
  '?',
  '[',
  ']',
  '!',
  '-',
  '^',
  '\\',
  '"',
  "'",
  ' ',
  'é',
  'É',
  'ß',
  '😀',
  '\n',
  '$',
];
export const word = (maxLength: number) => fc.array(fc.constantFrom(...CHARS), { maxLength }).map((a) => a.join(''));
const nonEmptyWord = (maxLength: number) => fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength }).map((a) => a.join(''));

const LABEL_KEYS = [
  'env',
  'team',
  'a.b',
  'Mixed.Case',
  'x_y',
  '100%',
  'we"ird',
  'back\\slash',
  "it's",
  '$root',
  '[0]',
  'toString',
  '__proto__',
  'prefect.resource.name',
];
const EVENT_NAMES = [
  'prefect.flow-run.Completed',
  'prefect.flow-run.Failed',
  'prefect.flow_run.Completed',
  'prefect.task-run.Running',
  'Prefect.Flow-Run.Completed',
  'acme.100%.done',
  'acme.[x].y',
  'acme.*',
  'acme.😀.x',
  'a_b',
  '',
];
const RESOURCE_IDS = [
  'prefect.flow-run.1',
  'prefect.flow-run.2',
  'prefect.flow_run.1',
  'prefect.deployment.a',
  'Prefect.Flow-Run.1',
  'acme.x%y',
  'acme.[1]',
  'acme.*',
  'acme.!x',
  'é.É',
  'acme.😀.1',
];
const ROLES = ['flow', 'deployment', 'tag', 'Tag', 'work-pool', 'tag*', 'a_b', '!x', '[r]'];
const VALUES = ['prod', 'Prod', 'PROD', 'dev', 'a.b', '100%', 'x_y', 'a*b', '[ab]', '!neg', 'Évian', 'é', '', ' '];

/** The pools one dataset draws from: fixed tricky values plus random ones. */
export interface Pools {
  eventNames: string[];
  resourceIds: string[];
  roles: string[];
  values: string[];
  labelKeys: string[];
  /** The few leaders events follow, so that several events share one `follows`. */
  leaderIds: string[];
}

export const poolsArb: fc.Arbitrary<Pools> = fc.record({
  eventNames: fc.array(word(8), { minLength: 3, maxLength: 6 }).map((w) => [...EVENT_NAMES, ...w]),
  resourceIds: fc.array(nonEmptyWord(6), { minLength: 3, maxLength: 6 }).map((w) => [...RESOURCE_IDS, ...w]),
  roles: fc.array(nonEmptyWord(4), { minLength: 2, maxLength: 4 }).map((w) => [...ROLES, ...w]),
  values: fc.array(word(6), { minLength: 4, maxLength: 8 }).map((w) => [...VALUES, ...w]),
  labelKeys: fc.array(nonEmptyWord(4), { minLength: 1, maxLength: 3 }).map((w) => [...LABEL_KEYS, ...w]),
  leaderIds: fc.uniqueArray(fc.uuid(), { minLength: 3, maxLength: 5 }),
});

/** The differential test's clock: the stores' partition window and the filters' defaults hang on it. */
export const NOW_US = Date.UTC(2026, 10, 22, 12) * 1000;

/** The PostgreSQL partition window of the differential test: days outside it go to the DEFAULT partition. */
export const TEST_PARTITION_WINDOW = { pastDays: 30, futureDays: 7 };

/** The start of the UTC day three days before {@link NOW_US}: a cluster of instants straddles it. */
const MIDNIGHT_US = Math.floor(NOW_US / MICROS.day) * MICROS.day - 3 * MICROS.day;

/**
 * 42 instants in 7 clusters of 6, one second apart: many events share an instant, so window edges are
 * tested. The clusters spread events over PostgreSQL's day partitions and its DEFAULT partition: five
 * years ago and 100 days ago (outside the partition window, and the first also outside the default
 * filter window of 180 days), one across a midnight, yesterday, the last hour, and 20 days ahead (only
 * filters without an upper bound or with an explicit one reach it).
 */
export const INSTANTS = [
  NOW_US - 1826 * MICROS.day,
  NOW_US - 100 * MICROS.day,
  MIDNIGHT_US - 3 * MICROS.second,
  NOW_US - MICROS.day,
  NOW_US - 2 * MICROS.hour,
  NOW_US - 10 * MICROS.second,
  NOW_US + 20 * MICROS.day,
].flatMap((start) => Array.from({ length: 6 }, (_, i) => start + i * MICROS.second));

function labelsArb(pools: Pools): fc.Arbitrary<[string, string][]> {
  return fc.uniqueArray(fc.tuple(fc.constantFrom(...pools.labelKeys), fc.constantFrom(...pools.values)), {
    maxLength: 3,
    selector: ([k]) => k,
  });
}

function resourceArb(pools: Pools, role: fc.Arbitrary<string | null>): fc.Arbitrary<Record<string, string>> {
  return fc.tuple(fc.constantFrom(...pools.resourceIds), role, labelsArb(pools)).map(([id, r, labels]) =>
    // Object.fromEntries defines own properties, so `__proto__` is an ordinary label, as after JSON.parse.
    Object.fromEntries([[RESOURCE_ID_LABEL, id], ...(r === null ? [] : [[RESOURCE_ROLE_LABEL, r]]), ...labels]),
  );
}

function payloadArb(pools: Pools): fc.Arbitrary<Record<string, JsonValue>> {
  const leaf = fc.oneof(fc.constantFrom(...pools.values), fc.integer({ min: -5, max: 500 }), fc.boolean(), fc.constant(null));
  return fc.dictionary(
    fc.constantFrom(...pools.labelKeys, 'Message', 'count'),
    fc.oneof(leaf, fc.array(leaf, { maxLength: 2 }), fc.dictionary(fc.constantFrom('Inner', 'k'), leaf, { maxKeys: 2 })),
    { maxKeys: 3 },
  );
}

/** An event as a client sends it: ids in any spelling the validator accepts, occurred on an instant. */
export function eventArb(pools: Pools): fc.Arbitrary<Event> {
  return fc.record({
    occurred: fc.constantFrom(...INSTANTS).map(formatDateTime),
    event: fc.constantFrom(...pools.eventNames),
    resource: resourceArb(pools, fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, fc.constantFrom(...pools.roles))),
    related: fc.array(resourceArb(pools, fc.constantFrom(...pools.roles)), { maxLength: 3 }),
    payload: payloadArb(pools),
    // Clients may send upper-case or unhyphenated UUIDs; the filter's ids are canonical.
    id: fc.tuple(fc.uuid(), fc.nat(5)).map(([id, n]) => (n === 0 ? id.toUpperCase() : n === 1 ? id.replace(/-/g, '') : id)),
    // Most events follow one of a few leaders, in any spelling; some follow nothing.
    follows: fc.option(
      fc
        .tuple(fc.constantFrom(...pools.leaderIds), fc.nat(5))
        .map(([id, n]) => (n === 0 ? id.toUpperCase() : n === 1 ? id.replace(/-/g, '') : id)),
      {
        freq: 3,
      },
    ),
  });
}

/** A prefix of one of the strings, cut on a code point boundary (never half a surrogate pair). */
export function prefixOf(strings: readonly string[]): fc.Arbitrary<string> {
  return fc.constantFrom(...strings).chain((s) => {
    const points = Array.from(s);
    return fc.nat(points.length).map((n) => points.slice(0, n).join(''));
  });
}

const CLASS_PIECES = [
  '[abc]',
  '[a-c]',
  '[!a]',
  '[]]',
  '[]a]',
  '[!]]',
  '[^]',
  '[]-a]',
  '[z-a]',
  '[!z-a]',
  '[a-]',
  '[-a]',
  '[%_]',
  '[é-ü]',
  '[*?]',
  '[\\]',
  '[[]',
  '[',
  ']',
  '[!',
];

/**
 * A glob pattern: derived from one of the values (so that it matches it) or, with `randomWeight` out of
 * 4, random; negated one time in four.
 */
export function patternArb(values: readonly string[], randomWeight = 2): fc.Arbitrary<string> {
  const derived = fc.constantFrom(...values).chain((v) =>
    fc
      .array(fc.constantFrom('keep', 'keep', 'keep', 'one', 'any', 'class', 'notClass'), {
        minLength: Array.from(v).length,
        maxLength: Array.from(v).length,
      })
      .map((ops) =>
        Array.from(v)
          .map((c, i) => {
            const literal = c === '*' || c === '?' || c === '[' ? `[${c}]` : c;
            switch (ops[i]) {
              case 'one':
                return '?';
              case 'any':
                return '*';
              case 'class':
                return c === ']' || c === '!' || c === '-' ? literal : `[${c}z]`;
              case 'notClass':
                return c === ']' || c === '!' || c === '-' ? literal : '[!z]';
              default:
                return literal;
            }
          })
          .join(''),
      ),
  );
  const random = fc
    .array(fc.oneof(fc.constantFrom(...CHARS), fc.constantFrom('*', '?', ...CLASS_PIECES)), { maxLength: 5 })
    .map((a) => a.join(''));
  return fc
    .tuple(fc.oneof({ arbitrary: derived, weight: 4 - randomWeight }, { arbitrary: random, weight: randomWeight }), fc.nat(3))
    .map(([p, n]) => (n === 0 ? `!${p}` : p));
}
