import { normalizeUuid, parseEventFilter, type EventFilterInput, type ReceivedEvent } from '@herald/core';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileEventMatcher } from '../../domain/event-matcher.js';
import { createTempDir, createTempPostgresDatabase, type TempDir, type TempPostgres } from '../../test-support/temp-resources.js';
import { eventArb, INSTANTS, poolsArb, type Pools } from '../../test-support/event-dataset-arbitraries.js';
import { compileFilterWhere } from './filter-compiler.js';
import { eventDerivedFilterArb, filterPartArbs, type FilterPartArbs } from '../../test-support/filter-input-arbitraries.js';
import {
  insertPostgresRows,
  insertSqliteRows,
  POSTGRES_FILTER_SCHEMA,
  SQLITE_FILTER_SCHEMA,
  type FilterTestRow,
} from '../../test-support/filter-test-schema.js';
import { blobToUuid } from './uuid-blob.js';

/*
 * ARCHITECTURE invariant 5: the in-memory matcher and the SQL compiler are one filter semantics. The
 * same random events go into a real SQLite file and a real PostgreSQL database; for every random filter
 * the ids that `WHERE <compiled>` returns must equal the ids the matcher accepts, on both.
 * HERALD_FILTER_SEED=<n> replays a dataset; fast-check prints the seed and the shrunk filter on failure.
 */

const DATASET_SEED = Number(process.env.HERALD_FILTER_SEED ?? Math.floor(Math.random() * 2 ** 31));
const EVENT_COUNT = 300;
const NOW = INSTANTS[INSTANTS.length - 1]! + 60_000_000;

let dir: TempDir;
let sqlite: Database.Database;
let database: TempPostgres;
let client: pg.Client;
let pools: Pools;
let rows: FilterTestRow[];
let parsedEvents: ReceivedEvent[];
let parts: FilterPartArbs;

beforeAll(async () => {
  const [sample] = fc.sample(
    poolsArb.chain((p) => fc.tuple(fc.constant(p), fc.array(eventArb(p), { minLength: EVENT_COUNT, maxLength: EVENT_COUNT }))),
    { seed: DATASET_SEED, numRuns: 1 },
  );
  const [samplePools, events] = sample!;
  pools = samplePools;
  const seen = new Set<string>();
  rows = events
    .filter((e) => !seen.has(normalizeUuid(e.event.id)) && seen.add(normalizeUuid(e.event.id)))
    .map((e, i) => ({ ...e, seq: i + 1 }));
  // The live stream and triggers see events parsed back from the stored JSON; so does this test.
  parsedEvents = rows.map((r) => JSON.parse(r.json) as ReceivedEvent);
  parts = filterPartArbs(pools, parsedEvents);

  dir = createTempDir();
  sqlite = new Database(join(dir.path, 'events.db'));
  sqlite.exec(SQLITE_FILTER_SCHEMA);
  insertSqliteRows(sqlite, rows);

  database = await createTempPostgresDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(POSTGRES_FILTER_SCHEMA);
  await insertPostgresRows(client, rows);
});

afterAll(async () => {
  sqlite?.close();
  dir?.remove();
  await client?.end();
  await database?.drop();
});

interface Case {
  input: EventFilterInput;
  missingUntil: 'now' | 'unbounded';
  paramOffset: number;
}

/** Runs one filter everywhere, asserts agreement, and returns how many events matched. */
async function agree({ input, missingUntil, paramOffset }: Case): Promise<number> {
  const parsed = parseEventFilter(input, { now: NOW, missingUntil });
  if (!parsed.ok) throw new Error(`invalid generated filter: ${JSON.stringify(parsed.issues)}`);
  const filter = parsed.filter;

  const matches = compileEventMatcher(filter);
  const expected = rows
    .filter((r, i) => matches(parsedEvents[i]!, r.occurred))
    .map((r) => normalizeUuid(r.event.id))
    .sort();

  const lite = compileFilterWhere(filter, 'sqlite');
  const liteIds = sqlite
    .prepare(`SELECT e.id FROM events e WHERE ${lite.sql}`)
    .all(...lite.params)
    .map((row) => blobToUuid((row as { id: Buffer }).id))
    .sort();
  expect(liteIds, `SQLite: ${lite.sql} (dataset seed ${DATASET_SEED})`).toEqual(expected);

  // The caller's own parameters come first; the compiled ones are numbered after them.
  const pgWhere = compileFilterWhere(filter, 'postgres', { paramOffset });
  const callerParams = Array.from({ length: paramOffset }, (_, i) => i);
  const callerSql = callerParams.map((_, i) => `$${i + 1}::int IS NOT NULL AND `).join('');
  const result = await client.query<{ id: string }>(`SELECT e.id::text AS id FROM events e WHERE ${callerSql}${pgWhere.sql}`, [
    ...callerParams,
    ...pgWhere.params,
  ]);
  expect(result.rows.map((r) => r.id).sort(), `PostgreSQL: ${pgWhere.sql} (dataset seed ${DATASET_SEED})`).toEqual(expected);
  return expected.length;
}

const caseArb = (input: fc.Arbitrary<EventFilterInput>): fc.Arbitrary<Case> =>
  fc.record({ input, missingUntil: fc.constantFrom('now' as const, 'unbounded' as const), paramOffset: fc.nat(2) });

/** Runs the property and requires that enough filters were selective (matched some but not all events). */
async function assertAgreement(input: fc.Arbitrary<EventFilterInput>, numRuns: number, minSelective: number): Promise<void> {
  let selective = 0;
  await fc.assert(
    fc.asyncProperty(caseArb(input), async (c) => {
      const n = await agree(c);
      if (n > 0 && n < rows.length) selective++;
    }),
    { numRuns },
  );
  // Shrinking reruns the property, so this is a lower bound only when everything passed, as it did.
  expect(selective / numRuns, `selective filters (dataset seed ${DATASET_SEED})`).toBeGreaterThanOrEqual(minSelective);
}

describe('the SQL compiler and the in-memory matcher agree on SQLite and PostgreSQL', () => {
  it('stores a dataset in which the tricky values occur', () => {
    expect(rows.length).toBeGreaterThan(EVENT_COUNT - 5);
    expect(rows.some((r) => r.event.related.length > 0)).toBe(true);
    expect(rows.some((r) => Object.hasOwn(r.event.resource, 'prefect.resource.role'))).toBe(true);
  });

  // The minimum share of selective filters sits well below what each generator achieves (measured
  // 0.25-0.35 for related, whose clauses need one resource to satisfy every field; 0.45 or more for the rest).
  it.each([
    ['occurred', 0.3],
    ['event', 0.3],
    ['resource', 0.3],
    ['related', 0.15],
    ['any_resource', 0.3],
    ['id', 0.3],
    ['text', 0.3],
  ] as const)('on filters by %s alone', async (part, minSelective) => {
    const arb = parts[part] as fc.Arbitrary<unknown>;
    await assertAgreement(
      arb.map((value) => ({ [part]: value })),
      250,
      minSelective,
    );
  });

  it('on random combinations of two or three fields', async () => {
    const names = Object.keys(parts) as (keyof FilterPartArbs)[];
    const combined = fc
      .subarray(names, { minLength: 2, maxLength: 3 })
      .chain((chosen) =>
        fc.record(Object.fromEntries(chosen.map((n) => [n, parts[n]])) as Record<string, fc.Arbitrary<unknown>>),
      ) as fc.Arbitrary<EventFilterInput>;
    await assertAgreement(combined, 300, 0.1);
  });

  it('on combinations of fields derived from one stored event', async () => {
    await assertAgreement(eventDerivedFilterArb(pools, parsedEvents), 400, 0.3);
  });

  it('on label conditions on the primary, related and any resource, one label each', async () => {
    const { resource, related, any_resource } = parts;
    const labelsOnly = fc.oneof(
      resource.filter((r) => r.labels != null).map((r) => ({ resource: { labels: r.labels } })),
      related.map((r) => ({ related: Array.isArray(r) ? r.map((c) => ({ labels: c.labels })) : { labels: r.labels } })),
      any_resource.map((r) => ({ any_resource: Array.isArray(r) ? r.map((c) => ({ labels: c.labels })) : { labels: r.labels } })),
    ) as fc.Arbitrary<EventFilterInput>;
    await assertAgreement(labelsOnly, 300, 0.3);
  });
});
