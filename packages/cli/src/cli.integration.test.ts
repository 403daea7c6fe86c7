import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { captureIo } from './test-support/capture-io.js';
import { closedPortUrl, startTestHerald, type TestHerald } from '../../../test/support/test-herald.js';

let herald: TestHerald;
const dir = mkdtempSync(join(tmpdir(), 'herald-cli-test-'));

beforeAll(async () => {
  herald = await startTestHerald();
});

afterAll(async () => {
  await herald.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], options: Parameters<typeof captureIo>[0] = {}) {
  const io = captureIo({ ...options, env: { HERALD_URL: herald.url, ...options.env } });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function scope(): string {
  return `cli.${randomUUID().slice(0, 8)}.`;
}

describe('herald events emit', () => {
  it('emits one event from flags and prints its receipt', async () => {
    const prefix = scope();
    const r = await run([
      'events', 'emit',
      '--event', 'acme.deploy.finished',
      '--resource', `${prefix}api`,
      '--label', 'env=prod',
      '--related', 'service:acme.service.api',
      '--payload', '{"version":"1.2.3"}',
    ]);
    expect([r.code, r.err]).toEqual([0, '']);
    const [id, result] = r.out.trim().split(' ');
    expect(result).toBe('inserted');
    const q = await run(['events', 'query', '--resource', `${prefix}api`, '--json']);
    const events = q.out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toMatchObject([
      {
        id,
        event: 'acme.deploy.finished',
        resource: { 'prefect.resource.id': `${prefix}api`, env: 'prod' },
        related: [{ 'prefect.resource.id': 'acme.service.api', 'prefect.resource.role': 'service' }],
        payload: { version: '1.2.3' },
      },
    ]);
  });

  it('streams an NDJSON file, reports each bad line by number, and exits 1', async () => {
    const prefix = scope();
    const line = (i: number) => JSON.stringify({ event: 'acme.row.loaded', resource: { 'prefect.resource.id': `${prefix}${i}` }, payload: { i } });
    const lines = [line(1), line(2), '{not json', line(4), JSON.stringify({ event: 'acme.row.loaded', resource: {} }), '', line(7)];
    const file = join(dir, 'rows.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await run(['events', 'emit', '--file', file]);
    expect(r.code).toBe(1);
    const errLines = r.err.trim().split('\n');
    expect([errLines.length, errLines[0]?.split(':')[0], errLines[1]?.split(':')[0]]).toEqual([3, 'line 3', 'line 5']);
    expect(errLines[1]).toContain('/resource/prefect.resource.id');
    expect(errLines[2]).toMatch(/^4 events stored, 2 rejected, in \d+\.\ds$/);
    const q = await run(['events', 'query', '--resource-prefix', prefix, '--json', '--order', 'asc']);
    expect(q.out.trim().split('\n').map((l) => (JSON.parse(l) as { payload: { i: number } }).payload.i).sort()).toEqual([1, 2, 4, 7]);
  });

  it('reads NDJSON from stdin with --file - and exits 0 when all are stored', async () => {
    const prefix = scope();
    const stdin = [1, 2, 3].map((i) => JSON.stringify({ event: 'acme.stdin', resource: { 'prefect.resource.id': `${prefix}${i}` } })).join('\n');
    const r = await run(['events', 'emit', '--file', '-'], { stdin });
    expect([r.code, r.err.trim()]).toEqual([0, expect.stringMatching(/^3 events stored, 0 rejected, in /)]);
    const one = await run(['events', 'emit', '--file', '-'], { stdin: JSON.stringify({ event: 'acme.stdin', resource: { 'prefect.resource.id': `${prefix}4` } }) });
    expect([one.code, one.err.trim()]).toEqual([0, expect.stringMatching(/^1 event stored, 0 rejected, in /)]);
  });

  it('emits an event that follows another with --follows', async () => {
    const prefix = scope();
    const first = await run(['events', 'emit', '--event', 'acme.step.one', '--resource', `${prefix}job`]);
    const [leader] = first.out.trim().split(' ');
    const second = await run(['events', 'emit', '--event', 'acme.step.two', '--resource', `${prefix}job`, '--follows', leader!]);
    expect([second.code, second.err]).toEqual([0, '']);
    const q = await run(['events', 'query', '--resource', `${prefix}job`, '--json', '--order', 'asc']);
    const events = q.out.trim().split('\n').map((line) => JSON.parse(line) as { event: string; follows: string | null });
    expect(events.map((e) => [e.event, e.follows])).toEqual([
      ['acme.step.one', null],
      ['acme.step.two', leader],
    ]);
    const bad = await run(['events', 'emit', '--event', 'x', '--resource', 'r', '--follows', 'not-a-uuid']);
    expect([bad.code, bad.err]).toEqual([1, expect.stringMatching(/^herald: EVENT_VALIDATION_FAILED: .*\/follows/)]);
  });

  it('refuses an invalid event from flags with one line and no stack', async () => {
    const r = await run(['events', 'emit', '--event', 'x', '--resource', 'r', '--id', 'not-a-uuid']);
    expect(r.code).toBe(1);
    expect(r.err.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^herald: EVENT_VALIDATION_FAILED: .*\/id/)]);
  });
});

describe('herald events query', () => {
  it('prints a table of time, event and resource, newest first', async () => {
    const prefix = scope();
    for (const [i, at] of ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'].entries()) {
      expect((await run(['events', 'emit', '--event', `acme.t${i}`, '--resource', `${prefix}${i}`, '--occurred', at])).code).toBe(0);
    }
    const r = await run(['events', 'query', '--resource-prefix', prefix, '--since', '2025-12-31T00:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').map((l) => l.split(/\s{2,}/))).toEqual([
      ['TIME', 'EVENT', 'RESOURCE'],
      ['2026-01-02T00:00:00Z', 'acme.t1', `${prefix}1`],
      ['2026-01-01T00:00:00Z', 'acme.t0', `${prefix}0`],
      [''],
    ]);
    const none = await run(['events', 'query', '--resource-prefix', `${prefix}none`]);
    expect(none.out).toBe('No events match.\n');
    // The start of a name given to an exact flag: the answer names the flag that would have matched.
    const start = await run(['events', 'query', '--event', 'acme.t', '--resource', prefix, '--since', '2025-12-31T00:00:00Z']);
    expect(start.out).toBe(
      `No events match. (--event matches whole names; for names that start with it, use --event-prefix acme.t; ` +
        `--resource matches whole ids; for ids that start with it, use --resource-prefix ${prefix})\n`,
    );
    const hinted = await run(['events', 'query', '--event-prefix', 'acme.t', '--resource-prefix', prefix, '--since', '2025-12-31T00:00:00Z']);
    expect(hinted.out.split('\n')).toHaveLength(4);
  });

  it('honours --limit and --order', async () => {
    const prefix = scope();
    const stdin = [1, 2, 3, 4].map((i) => JSON.stringify({ event: 'acme.o', occurred: `2026-02-0${i}T00:00:00Z`, resource: { 'prefect.resource.id': `${prefix}${i}` } })).join('\n');
    expect((await run(['events', 'emit', '--file', '-'], { stdin })).code).toBe(0);
    const r = await run(['events', 'query', '--resource-prefix', prefix, '--since', '2026-01-01T00:00:00Z', '--order', 'asc', '--limit', '2', '--json']);
    expect(r.out.trim().split('\n').map((l) => (JSON.parse(l) as { occurred: string }).occurred)).toEqual(['2026-02-01T00:00:00Z', '2026-02-02T00:00:00Z']);
  });
});

describe('herald events stream', () => {
  it('prints backfilled and live events until --count is reached', async () => {
    const prefix = scope();
    expect((await run(['events', 'emit', '--event', 'acme.s', '--resource', `${prefix}0`])).code).toBe(0);
    const streaming = run(['events', 'stream', '--resource-prefix', prefix, '--count', '2', '--json']);
    // The stream backfills the first event; the second arrives live once the stream is up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await run(['events', 'emit', '--event', 'acme.s', '--resource', `${prefix}1`])).code).toBe(0);
    const r = await streaming;
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').map((l) => (JSON.parse(l) as { resource: Record<string, string> }).resource['prefect.resource.id'])).toEqual([`${prefix}0`, `${prefix}1`]);
  });
});

describe('herald events stream --last', () => {
  const resourceIds = (out: string) => out.trim().split('\n').map((l) => (JSON.parse(l) as { resource: Record<string, string> }).resource['prefect.resource.id']);

  it('starts with the newest 10 stored events, like tail -f, or the newest n with --last n', async () => {
    const prefix = scope();
    const now = Date.now();
    const stdin = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ event: 'acme.tail', occurred: new Date(now - (12 - i) * 1000).toISOString(), resource: { 'prefect.resource.id': `${prefix}${i}` } }),
    ).join('\n');
    expect((await run(['events', 'emit', '--file', '-'], { stdin })).code).toBe(0);
    const byDefault = await run(['events', 'stream', '--resource-prefix', prefix, '--count', '10', '--json']);
    expect(resourceIds(byDefault.out)).toEqual(Array.from({ length: 10 }, (_, i) => `${prefix}${i + 2}`));

    const streaming = run(['events', 'stream', '--resource-prefix', prefix, '--last', '2', '--count', '3', '--json']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await run(['events', 'emit', '--event', 'acme.tail', '--resource', `${prefix}live`])).code).toBe(0);
    expect(resourceIds((await streaming).out)).toEqual([`${prefix}10`, `${prefix}11`, `${prefix}live`]);

    const all = await run(['events', 'stream', '--resource-prefix', prefix, '--last', 'all', '--count', '13', '--json']);
    expect(all.err).toBe('');
    expect(resourceIds(all.out)).toEqual([...Array.from({ length: 12 }, (_, i) => `${prefix}${i}`), `${prefix}live`]);
  });

  it('exits 2 with one line for a --last that is not a count or all', async () => {
    const r = await run(['events', 'stream', '--last', 'some']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter(Boolean)).toEqual([expect.stringContaining('expected a whole number from 0 to 10000, or all')]);
  });
});

describe('errors', () => {
  it('prints one line and exits 1 when the server is unreachable', async () => {
    const url = await closedPortUrl();
    for (const args of [['events', 'query'], ['events', 'emit', '--event', 'x', '--resource', 'r'], ['events', 'stream']]) {
      const r = await run(['--url', url, ...args]);
      expect(r.code).toBe(1);
      expect(r.err.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^herald: CONNECTION_FAILED: Cannot reach Herald at .*ECONNREFUSED/)]);
    }
  });

  it('exits 2 with one line for a bad flag value', async () => {
    const r = await run(['events', 'query', '--since', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n').filter(Boolean).length).toBe(1);
  });
});
