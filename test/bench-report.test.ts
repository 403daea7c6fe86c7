import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a bench script in plain JavaScript, without type declarations
import { failedFigure, figure, medianOfRuns } from '../bench/lib/report.mjs';

interface Figure {
  id: string;
  value: number | null;
  ratio: number | null;
  status: string;
  note: string;
  details: { run?: number; runs?: (number | null)[] };
}

const combine = medianOfRuns as (runs: Figure[][]) => Figure[];
const ingest = (value: number, run: number): Figure =>
  figure({ id: 'ingest', name: 'HTTP ingest', value, unit: 'events/s', target: { op: '>=', value: 25_000 }, note: `run ${run}`, details: { run } });
const latency = (value: number, run: number): Figure =>
  figure({ id: 'latency', name: 'p99', value, unit: 'ms', target: { op: '<=', value: 25 }, note: `run ${run}`, details: { run } });

// `npm run bench -- --repeat N` reports each figure as the median of N runs; these hold the choice of run.
describe('medianOfRuns', () => {
  it('reports the median run of each figure, judged against the target that run meets or misses', () => {
    const [combined] = combine([[ingest(20_543, 1)], [ingest(26_147, 2)], [ingest(23_176, 3)]]);
    expect(combined!.value).toBe(23_176);
    expect(combined!.status).toBe('MISS');
    expect(combined!.details.run).toBe(3);
    expect(combined!.details.runs).toEqual([20_543, 26_147, 23_176]);
    expect(combined!.note).toBe('run 3; median of 3 runs: 20,543 events/s / 26,147 events/s / 23,176 events/s');

    const [passing] = combine([[ingest(26_147, 1)], [ingest(20_543, 2)], [ingest(25_100, 3)]]);
    expect([passing!.value, passing!.status]).toEqual([25_100, 'PASS']);
  });

  it('takes the middle run that is worse for the target when the count is even', () => {
    // At least: the lower of the two middle values; at most: the higher.
    expect(combine([[ingest(30_000, 1)], [ingest(24_000, 2)], [ingest(26_000, 3)], [ingest(10_000, 4)]])[0]!.value).toBe(24_000);
    const [worse] = combine([[latency(12, 1)], [latency(30, 2)], [latency(24, 3)], [latency(26, 4)]]);
    expect([worse!.value, worse!.status]).toEqual([26, 'MISS']);
  });

  it('orders a figure whose target is on the ratio by its ratio, not its value', () => {
    const share = (value: number, raw: number, run: number): Figure =>
      figure({
        id: 'share',
        name: 'ingest against raw',
        value,
        unit: 'events/s',
        target: { on: 'ratio', op: '>=', value: 0.6 },
        baseline: { name: 'raw', value: raw },
        details: { run },
      });
    // Values rise 20k, 22k, 26k; their ratios are 50 %, 61 % and 52 %: the median ratio is run 3's.
    const [combined] = combine([[share(20_000, 40_000, 1)], [share(22_000, 36_000, 2)], [share(26_000, 50_000, 3)]]);
    expect(combined!.details.run).toBe(3);
    expect(combined!.ratio).toBeCloseTo(0.52);
    expect(combined!.status).toBe('MISS');
    expect(combined!.note).toBe('median of 3 runs: 50 % / 61 % / 52 %');
  });

  it('reports the worst run of a count that must stay at 0, such as events lost', () => {
    const lost = (value: number, run: number): Figure =>
      figure({ id: 'lost', name: 'lost', value, unit: 'events', target: { op: '<=', value: 0 }, details: { run } });
    const [combined] = combine([[lost(0, 1)], [lost(3, 2)], [lost(0, 3)]]);
    expect([combined!.value, combined!.status, combined!.details.run]).toEqual([3, 'MISS', 2]);
    expect(combined!.note).toBe('worst of 3 runs: 0 events / 3 events / 0 events');
  });

  it('keeps a failure: one run that could not measure a figure makes it an ERROR', () => {
    const broken = { ...failedFigure('ingest', 'HTTP ingest', 'events/s', new Error('the server did not start')), note: '' };
    const [combined] = combine([[ingest(26_000, 1)], [broken], [ingest(27_000, 3)]]);
    expect(combined!.status).toBe('ERROR');
    expect(combined!.note).toBe('failed in 1 of 3 runs');
  });

  it('keeps the order in which figures first appear, and says when a figure was not measured in every run', () => {
    const combined = combine([[ingest(26_000, 1)], [latency(14, 2), ingest(25_000, 2)], [ingest(27_000, 3), latency(18, 3)]]);
    expect(combined.map((f) => f.id)).toEqual(['ingest', 'latency']);
    expect(combined[1]!.value).toBe(18);
    expect(combined[1]!.note).toBe('run 3; median of 2 runs: 14.0 ms / 18.0 ms (measured in 2 of 3 runs)');
  });
});
