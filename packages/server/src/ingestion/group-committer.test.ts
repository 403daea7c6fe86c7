import { describe, expect, it } from 'vitest';
import type { AppendOutcome, EventRecord } from '../storage/ports.js';
import { GroupCommitter, type CommittedBatch } from './group-committer.js';

const record = (n: number) => ({ event: { id: `id-${n}` }, json: String(n) }) as EventRecord;
const records = (from: number, count: number) => Array.from({ length: count }, (_, i) => record(from + i));

/** A write function that commits in order and assigns consecutive seqs, resolving when released. */
function controlledWriter() {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  let seq = 0;
  const write = (rs: EventRecord[]) =>
    new Promise<AppendOutcome>((resolve) => {
      batches.push(rs.map((r) => r.json));
      releases.push(() => {
        const seqs = rs.map(() => ++seq);
        resolve({ results: rs.map(() => 'inserted'), seqs, lastSeq: seq });
      });
    });
  return { batches, releases, write };
}

describe('GroupCommitter', () => {
  it('puts submissions that arrive during a write into one following batch', async () => {
    const w = controlledWriter();
    const committer = new GroupCommitter({ write: w.write, maxEvents: 100 });
    const first = committer.submit(records(0, 2));
    await Promise.resolve();
    await Promise.resolve();
    const second = committer.submit(records(2, 3));
    const third = committer.submit(records(5, 1));
    expect(w.batches).toEqual([['0', '1']]);
    w.releases[0]!();
    expect((await first).seqs).toEqual([1, 2]);
    await new Promise((r) => setImmediate(r));
    expect(w.batches[1]).toEqual(['2', '3', '4', '5']);
    w.releases[1]!();
    expect((await second).seqs).toEqual([3, 4, 5]);
    expect((await third).seqs).toEqual([6]);
  });

  it('caps a batch at maxEvents but never splits one submission', async () => {
    const w = controlledWriter();
    const committer = new GroupCommitter({ write: w.write, maxEvents: 3 });
    const all = [committer.submit(records(0, 2)), committer.submit(records(2, 2)), committer.submit(records(4, 5))];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      w.releases[i]!();
    }
    await Promise.all(all);
    expect(w.batches.map((b) => b.length)).toEqual([2, 2, 5]);
  });

  it('rejects every submission of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const committer = new GroupCommitter({
      maxEvents: 10,
      write: async (rs) => {
        if (fail) throw new Error('disk full');
        return { results: rs.map(() => 'inserted' as const), seqs: rs.map((_, i) => i + 1), lastSeq: rs.length };
      },
    });
    const a = committer.submit(records(0, 1));
    const b = committer.submit(records(1, 1));
    await expect(a).rejects.toThrow('disk full');
    await expect(b).rejects.toThrow('disk full');
    fail = false;
    await expect(committer.submit(records(2, 1))).resolves.toMatchObject({ results: ['inserted'] });
    await committer.flush();
  });

  it('with several writes in flight, reports commits in batch order even when writes finish out of order', async () => {
    const w = controlledWriter();
    const committed: string[][] = [];
    const onCommitted = ({ json }: CommittedBatch) => committed.push(Array.from({ length: json.length }, (_, i) => json.at(i)));
    const committer = new GroupCommitter({ write: w.write, maxEvents: 100, maxInFlight: 2, onCommitted });
    const first = committer.submit(records(0, 1));
    await new Promise((r) => setImmediate(r));
    const second = committer.submit(records(1, 2));
    await new Promise((r) => setImmediate(r));
    const third = committer.submit(records(3, 1));
    await new Promise((r) => setImmediate(r));
    // Two writes are under way at once; the third waits for a free slot.
    expect(w.batches).toEqual([['0'], ['1', '2']]);
    w.releases[1]!();
    await new Promise((r) => setImmediate(r));
    expect(committed).toEqual([]);
    w.releases[0]!();
    await Promise.all([first, second]);
    expect(committed).toEqual([['0'], ['1', '2']]);
    await new Promise((r) => setImmediate(r));
    expect(w.batches[2]).toEqual(['3']);
    w.releases[2]!();
    await third;
    await committer.flush();
    expect(committed).toEqual([['0'], ['1', '2'], ['3']]);
  });
});

