import { afterEach, describe, expect, it } from 'vitest';
import type { BusEvent } from './event-bus.js';
import { createSeqOrder, type SeqOrder } from './seq-order.js';

const ev = (seq: number): BusEvent => ({ seq, json: `{"n":${seq}}` });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A log holding `seqs` (committed events), and what was delivered, in order. */
function harness(options: { delivered?: number; log?: number[]; gapWaitMs?: number; failReads?: number; readMs?: number } = {}) {
  const log = new Set(options.log ?? []);
  const delivered: number[] = [];
  const reads: number[] = [];
  let failures = options.failReads ?? 0;
  const order = createSeqOrder({
    delivered: options.delivered ?? 0,
    deliver: (events) => delivered.push(...events.map((e) => e.seq)),
    async readLog(afterSeq, limit) {
      reads.push(afterSeq);
      if (options.readMs) await sleep(options.readMs);
      if (failures-- > 0) throw new Error('store down');
      return [...log].filter((s) => s > afterSeq).sort((a, b) => a - b).slice(0, limit).map(ev);
    },
    gapWaitMs: options.gapWaitMs ?? 20,
    onError: () => undefined,
  });
  return { order, log, delivered, reads };
}

let current: SeqOrder | null = null;
afterEach(() => current?.close());

describe('createSeqOrder', () => {
  it('delivers in seq order, holding events that arrive ahead of a lower seq', () => {
    const h = harness({ delivered: 10 });
    current = h.order;
    h.order.offer(range(14, 15));
    expect(h.delivered).toEqual([]);
    h.order.offer(range(11, 13));
    expect(h.delivered).toEqual([11, 12, 13, 14, 15]);
    expect(h.order.delivered).toBe(15);
    expect(h.reads).toEqual([]);
  });

  it('drops what was delivered already, so a replica hearing its own events twice sees them once', () => {
    const h = harness({ delivered: 0 });
    current = h.order;
    h.order.offer(range(1, 3));
    h.order.offer(range(1, 3));
    h.order.offer([ev(2), ev(4), ev(4)]);
    expect(h.delivered).toEqual([1, 2, 3, 4]);
  });

  it('reads a gap that never fills from the log: a burnt seq, or a replica dead before it published', async () => {
    // Seq 3 was burnt (rolled back); 4 and 5 are committed, and 6 committed but its message was lost.
    const h = harness({ delivered: 2, log: [1, 2, 4, 5, 6] });
    current = h.order;
    h.order.offer([ev(4), ev(5)]);
    expect(h.delivered).toEqual([]);
    await sleep(60);
    expect(h.delivered).toEqual([4, 5, 6]);
    expect(h.reads).toEqual([2]);
    h.order.offer([ev(6), ev(7)]);
    expect(h.delivered).toEqual([4, 5, 6, 7]);
  });

  it('catches up from the log when the store is ahead and nothing arrives', async () => {
    const h = harness({ delivered: 0, log: [1, 2, 3] });
    current = h.order;
    h.order.noteCommitted(1);
    h.order.noteCommitted(3);
    await sleep(60);
    expect(h.delivered).toEqual([1, 2, 3]);
    expect(h.reads).toEqual([0]);
    h.order.noteCommitted(3);
    await sleep(40);
    expect(h.reads).toEqual([0]);
  });

  it('keeps the gap open and retries when the log cannot be read', async () => {
    const h = harness({ delivered: 0, log: [1, 2], failReads: 1 });
    current = h.order;
    h.order.offer([ev(2)]);
    await sleep(90);
    expect(h.reads.length).toBeGreaterThanOrEqual(2);
    expect(h.delivered).toEqual([1, 2]);
  });

  it('delivers events offered during a log read once, after it, in order', async () => {
    const h = harness({ delivered: 0, log: [1, 2, 3, 4], gapWaitMs: 5, readMs: 30 });
    current = h.order;
    h.order.offer([ev(3)]);
    await sleep(15); // the read is under way
    expect(h.reads).toEqual([0]);
    h.order.offer([ev(1), ev(2), ev(4), ev(5)]);
    expect(h.delivered).toEqual([]);
    await sleep(40);
    expect(h.delivered).toEqual([1, 2, 3, 4, 5]);
  });
});
