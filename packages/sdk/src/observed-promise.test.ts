import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeferred, ObservedPromise } from './observed-promise.js';

describe('createDeferred', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('never raises an unhandled rejection when nobody listens, and reports the error instead', async () => {
    const reported: unknown[] = [];
    const d = createDeferred<number>((e) => reported.push(e));
    d.reject(new Error('lost'));
    await nextMacrotask();
    await nextMacrotask();
    expect(unhandled).toEqual([]);
    expect(reported.map((e) => (e as Error).message)).toEqual(['lost']);
  });

  it('delivers the rejection to an awaiting caller and does not report it', async () => {
    const reported: unknown[] = [];
    const d = createDeferred<number>((e) => reported.push(e));
    const awaited = (async () => {
      try {
        await d.promise;
        return 'resolved';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    d.reject(new Error('rejected'));
    expect(await awaited).toBe('rejected');
    await nextMacrotask();
    expect(reported).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('counts catch, then and Promise.all as observing, but not a bare reference', async () => {
    const reported: unknown[] = [];
    const viaCatch = createDeferred<number>((e) => reported.push(['catch', e]));
    const viaAll = createDeferred<number>((e) => reported.push(['all', e]));
    const ignored = createDeferred<number>(() => reported.push('ignored'));
    viaCatch.promise.catch(() => undefined);
    Promise.all([viaAll.promise]).catch(() => undefined);
    await Promise.resolve(); // Promise.all and await call `then` from a microtask
    expect([viaCatch.promise.observed, viaAll.promise.observed, ignored.promise.observed]).toEqual([true, true, false]);
    viaCatch.reject(new Error('a'));
    viaAll.reject(new Error('b'));
    ignored.reject(new Error('c'));
    await nextMacrotask();
    await nextMacrotask();
    expect(reported).toEqual(['ignored']);
  });

  it('lets a caller attach a handler in the same turn as the rejection', async () => {
    const reported: unknown[] = [];
    const d = createDeferred<number>((e) => reported.push(e));
    d.reject(new Error('late'));
    const message = await d.promise.then(
      () => 'resolved',
      (e: unknown) => (e as Error).message,
    );
    await nextMacrotask();
    expect([message, reported.length]).toEqual(['late', 0]);
  });

  it('resolves like any promise, and derived promises are plain promises', async () => {
    const d = createDeferred<number>(() => undefined);
    d.resolve(7);
    const derived = d.promise.then((n) => n * 2);
    expect(d.promise).toBeInstanceOf(ObservedPromise);
    expect(derived).not.toBeInstanceOf(ObservedPromise);
    expect(await derived).toBe(14);
  });
});
