import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.js';

describe('EventQueue', () => {
  it('refuses entries beyond its capacity, and accepts again once one settles', () => {
    const q = new EventQueue<string>(2);
    expect(q.add('a', 'A')?.seq).toBe(1);
    expect(q.add('b', 'B')?.seq).toBe(2);
    expect(q.add('c', 'C')).toBeNull();
    q.takeNext();
    expect(q.settle('a')?.value).toBe('A');
    expect(q.add('c', 'C')?.seq).toBe(3);
    expect(q.size).toBe(2);
  });

  it('hands out entries in order and settles only those in flight', () => {
    const q = new EventQueue<string>(10);
    q.add('a', 'A');
    q.add('b', 'B');
    expect(q.settle('a')).toBeUndefined(); // not sent yet
    expect([q.takeNext()?.key, q.takeNext()?.key, q.takeNext()]).toEqual(['a', 'b', undefined]);
    expect([q.inFlight, q.waiting]).toEqual([2, 0]);
    expect(q.settle('b')?.value).toBe('B');
    expect(q.settle('b')).toBeUndefined();
    expect([q.size, q.inFlight]).toEqual([1, 1]);
  });

  it('matches repeated ids oldest first', () => {
    const q = new EventQueue<number>(10);
    q.add('x', 1);
    q.add('x', 2);
    q.takeNext();
    q.takeNext();
    expect([q.settle('x')?.value, q.settle('x')?.value, q.settle('x')]).toEqual([1, 2, undefined]);
  });

  it('re-sends everything unsettled, in the original order, after a requeue', () => {
    const q = new EventQueue<string>(10);
    for (const k of ['a', 'b', 'c', 'd']) q.add(k, k);
    q.takeNext();
    q.takeNext();
    q.takeNext();
    q.settle('b');
    q.requeue();
    expect([q.inFlight, q.waiting]).toEqual([0, 3]);
    const order = [q.takeNext()?.key, q.takeNext()?.key, q.takeNext()?.key];
    expect(order).toEqual(['a', 'c', 'd']);
  });

  it('resolves whenSettled only after every earlier entry left, not later ones', async () => {
    const q = new EventQueue<string>(10);
    q.add('a', 'A');
    q.add('b', 'B');
    let flushed = false;
    const flush = q.whenSettled().then(() => (flushed = true));
    q.add('c', 'C');
    q.takeNext();
    q.takeNext();
    q.settle('b');
    await Promise.resolve();
    expect(flushed).toBe(false);
    q.settle('a');
    await flush;
    expect([flushed, q.size]).toEqual([true, 1]);
  });

  it('resolves whenSettled at once when empty, and after removeAll', async () => {
    const q = new EventQueue<string>(10);
    await q.whenSettled();
    q.add('a', 'A');
    const flush = q.whenSettled();
    expect(q.removeAll().map((e) => e.key)).toEqual(['a']);
    await flush;
    expect(q.size).toBe(0);
  });

  it('behaves like a simple model under random operations', () => {
    type Op = { op: 'add'; key: number } | { op: 'take' } | { op: 'settle'; key: number } | { op: 'requeue' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('add' as const), key: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ op: fc.constant('take' as const) }),
      fc.record({ op: fc.constant('settle' as const), key: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ op: fc.constant('requeue' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 80 }), (capacity, ops) => {
        const q = new EventQueue<number>(capacity);
        // Model: the pending entries in order, each with its key and whether it is in flight.
        let model: { seq: number; key: string; inFlight: boolean }[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.op === 'add') {
            const entry = q.add(String(o.key), o.key);
            if (model.length >= capacity) {
              if (entry !== null) return false;
            } else {
              seq++;
              if (entry?.seq !== seq) return false;
              model.push({ seq, key: String(o.key), inFlight: false });
            }
          } else if (o.op === 'take') {
            const expected = model.filter((m) => !m.inFlight)[0];
            const got = q.takeNext();
            if (got?.seq !== expected?.seq) return false;
            if (expected) expected.inFlight = true;
          } else if (o.op === 'settle') {
            const expected = model.find((m) => m.inFlight && m.key === String(o.key));
            const got = q.settle(String(o.key));
            if (got?.seq !== expected?.seq) return false;
            model = model.filter((m) => m !== expected);
          } else {
            q.requeue();
            for (const m of model) m.inFlight = false;
          }
          if (q.size !== model.length || q.inFlight !== model.filter((m) => m.inFlight).length) return false;
        }
        return true;
      }),
    );
  });
});
