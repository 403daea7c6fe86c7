import { compileLabelPattern, parseGlob, parseLabelPattern, type GlobToken } from '@herald/core';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, createTempPostgresDatabase, type TempDir, type TempPostgres } from '../../test-support/temp-resources.js';
import { renderGlob, sqlLabelPattern } from './glob-sql.js';
import { SqlParams } from './sql-params.js';

let dir: TempDir;
let sqlite: Database.Database;
let database: TempPostgres;
let client: pg.Client;

beforeAll(async () => {
  dir = createTempDir();
  sqlite = new Database(join(dir.path, 'glob.db'));
  database = await createTempPostgresDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  sqlite?.close();
  dir?.remove();
  await client?.end();
  await database?.drop();
});

/** Evaluates one pattern on many values in SQLite and PostgreSQL, through the rendered SQL. */
async function sqlMatches(pattern: string, values: readonly string[]): Promise<{ sqlite: boolean[]; postgres: boolean[] }> {
  const lite = new SqlParams('sqlite');
  const liteSql = sqlLabelPattern('v.value', pattern, lite);
  const liteRows = sqlite
    .prepare(`SELECT (${liteSql}) AS m FROM json_each(?) v ORDER BY v.key`)
    .all(...lite.values, JSON.stringify(values)) as { m: number }[];
  const post = new SqlParams('postgres', 1);
  const postSql = sqlLabelPattern('v.value', pattern, post);
  const postRows = await client.query<{ m: boolean }>(
    `SELECT (${postSql}) AS m FROM unnest($1::text[]) WITH ORDINALITY AS v(value, n) ORDER BY v.n`,
    [values, ...post.values],
  );
  return { sqlite: liteRows.map((r) => r.m === 1), postgres: postRows.rows.map((r) => r.m) };
}

async function expectAgreement(pattern: string, values: readonly string[]): Promise<void> {
  const memory = compileLabelPattern(pattern);
  const expected = values.map((v) => memory(v));
  const got = await sqlMatches(pattern, values);
  expect(got.sqlite, `SQLite, pattern ${JSON.stringify(pattern)} on ${JSON.stringify(values)}`).toEqual(expected);
  expect(got.postgres, `PostgreSQL, pattern ${JSON.stringify(pattern)} on ${JSON.stringify(values)}`).toEqual(expected);
}

describe('renderGlob', () => {
  it('renders globs without wildcards as equality and constant globs as constants', () => {
    expect(renderGlob(parseGlob('a.b_c%'), 'sqlite')).toEqual({ kind: 'equals', text: 'a.b_c%' });
    expect(renderGlob(parseGlob('a[*][?][[]'), 'postgres')).toEqual({ kind: 'equals', text: 'a*?[' });
    expect(renderGlob(parseGlob(''), 'sqlite')).toEqual({ kind: 'equals', text: '' });
    expect(renderGlob(parseGlob('**'), 'sqlite')).toEqual({ kind: 'always' });
    expect(renderGlob(parseGlob('a[z-a]*'), 'postgres')).toEqual({ kind: 'never' });
  });

  it('escapes GLOB and regex metacharacters in literals', () => {
    expect(renderGlob(parseGlob('a*[[]?'), 'sqlite')).toEqual({ kind: 'match', pattern: 'a*[[]?' });
    expect(renderGlob(parseGlob('a.(b)+*'), 'postgres')).toEqual({ kind: 'match', pattern: '^a\\.\\(b\\)\\+.*$' });
    expect(renderGlob(parseGlob('[!a-c]x*'), 'sqlite')).toEqual({ kind: 'match', pattern: '[^a-c]x*' });
  });

  it('keeps ], ^ and - literal inside SQLite classes', () => {
    const sqliteClass = (glob: string) => (renderGlob(parseGlob(glob), 'sqlite') as { pattern: string }).pattern;
    expect(sqliteClass('[]a]*')).toBe('[]a]*');
    expect(sqliteClass('[a^]*')).toBe('[a^]*');
    expect(sqliteClass('[^]*')).toBe('^*');
    expect(sqliteClass('[-^]*')).toBe('[-^]*');
    expect(sqliteClass('[-a]*')).toBe('[a-]*');
    expect(sqliteClass('[]-a]*')).toBe('[]_-a^]*');
  });
});

describe('sqlLabelPattern agrees with the in-memory glob on SQLite and PostgreSQL', () => {
  it.each([
    ['a*', ['a', 'abc', 'ba', 'A']],
    ['!nah*', ['nah', 'nahh', 'yes', '']],
    ['?', ['', 'a', '😀', 'ab', '\n']],
    ['[]]', [']', 'a', '[]]']],
    ['[!]]', [']', 'a', '']],
    ['[]-a]', [']', '^', '_', '`', 'a', 'b', '\\']],
    ['[a-]', ['a', '-', 'b']],
    ['[^]', ['^', 'a']],
    ['[!^]', ['^', 'a']],
    ['[[]x', ['[x', 'x']],
    ['[\\]', ['\\', 'a']],
    ['a[z-a]', ['a', 'az']],
    ['a[!z-a]', ['a', 'ab', 'a\n']],
    ['*%_*', ['%_', 'a%_b', 'a%xb', 'ab']],
    ['[é-ü]*', ['é', 'ü', 'e', 'Évian', 'ö']],
    ['x.y', ['x.y', 'xzy']],
    ['(a|b)+', ['(a|b)+', 'a']],
    ['!', ['!', '', 'a']],
    ['!!x', ['!x', 'x', 'y']],
    ['[!', ['[!', 'a']],
  ])('on %j', async (pattern, values) => {
    await expectAgreement(pattern, values);
  });

  const chars = ['a', 'b', 'z', 'A', '-', '^', ']', '[', '!', '*', '?', '\\', '.', '_', '%', '$', '(', '|', '{', 'é', 'ü', '😀', '\n', ' '];
  const globPiece = fc.oneof(
    fc.constantFrom(...chars),
    fc.constantFrom('*', '?', '[', ']', '[!', '[^', '-', '[]', '[!]', 'z-a', 'a-z', ']-a'),
  );
  const patternArb = fc
    .tuple(fc.boolean(), fc.array(globPiece, { maxLength: 8 }))
    .map(([negate, pieces]) => (negate ? '!' : '') + pieces.join(''));

  /** Values built from the pattern's own tokens, so that about half of them match. */
  const instanceOf = (tokens: GlobToken[]) =>
    fc
      .tuple(...tokens.map((t) => tokenInstance(t)), fc.constant(''))
      .chain((parts) => fc.tuple(fc.constant(parts.join('')), fc.nat(4), fc.constantFrom(...chars)))
      .map(([value, mutate, c]) => (mutate === 0 ? value + c : mutate === 1 ? Array.from(value).slice(1).join('') : value));
  function tokenInstance(t: GlobToken): fc.Arbitrary<string> {
    switch (t.kind) {
      case 'literal':
        return fc.constant(t.text);
      case 'any':
        return fc.array(fc.constantFrom(...chars), { maxLength: 3 }).map((a) => a.join(''));
      case 'one':
        return fc.constantFrom(...chars);
      case 'class':
        return t.ranges.length === 0 ? fc.constantFrom(...chars) : fc.oneof(fc.constantFrom(...t.ranges.flat()), fc.constantFrom(...chars));
      default:
        return t satisfies never;
    }
  }

  it('on random patterns full of metacharacters', async () => {
    await fc.assert(
      fc.asyncProperty(
        patternArb.chain((pattern) =>
          fc.tuple(fc.constant(pattern), fc.array(instanceOf(parseLabelPattern(pattern).tokens), { minLength: 1, maxLength: 8 })),
        ),
        async ([pattern, values]) => expectAgreement(pattern, values),
      ),
      { numRuns: 800 },
    );
  });
});
