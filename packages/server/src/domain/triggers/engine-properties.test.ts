import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Automation, EventTrigger, Trigger } from '@herald/core';
import { createTriggerEngine } from './trigger-engine.js';
import type { EngineOutput, TriggerEngine, TriggerEngineOptions } from './engine-types.js';
import { at, automation, compound, ev, eventTrigger, idSequence, SEC, sequence, T } from '../../test-support/trigger-engine-harness.js';

// Property tests of the engine: arrival order of simultaneous events, restore round-trip, and the
// interest index against a scan of every trigger.

const NAMES = ['a.x', 'a.y', 'b.x', 'b.y.z', 'c'];
const RESOURCES = ['r.1', 'r.2', 's.1'];
const NAME_PATTERNS = ['a.x', 'a.*', '*.x', 'b.*', 'c', '*', '!a.x', 'a.?', '[ab].x'];
const ID_PATTERNS: (string | string[] | undefined)[] = [undefined, 'r.1', 'r.*', '*', '!r.1', ['r.1', 's.*'], 's.?'];

const eventTriggerArb: fc.Arbitrary<EventTrigger> = fc
  .record({
    expect: fc.subarray(NAME_PATTERNS, { maxLength: 2 }),
    after: fc.subarray(NAME_PATTERNS, { maxLength: 1 }),
    id: fc.constantFrom(...ID_PATTERNS),
    keyed: fc.boolean(),
    proactive: fc.boolean(),
    threshold: fc.integer({ min: 0, max: 3 }),
    within: fc.constantFrom(0, 5, 10, 30),
  })
  .map((r) =>
    eventTrigger({
      expect: r.expect,
      after: r.after,
      match: r.id === undefined ? {} : { 'prefect.resource.id': r.id },
      for_each: r.keyed ? ['prefect.resource.id'] : [],
      posture: r.proactive ? 'Proactive' : 'Reactive',
      threshold: r.threshold,
      within: r.proactive ? Math.max(10, r.within) : r.within,
    }),
  );

const triggerArb: fc.Arbitrary<Trigger> = fc.oneof(
  { weight: 4, arbitrary: eventTriggerArb },
  {
    weight: 1,
    arbitrary: fc
      .record({
        kind: fc.constantFrom('any', 'all', 2, 'sequence'),
        children: fc.array(eventTriggerArb, { minLength: 2, maxLength: 3 }),
        within: fc.constantFrom(null, 20),
      })
      .map((r) => (r.kind === 'sequence' ? sequence(r.children, r.within) : compound(r.kind as 'any' | 'all' | 2, r.children, r.within))),
  },
);

type Step =
  | { kind: 'event'; name: string; resource: string; dt: number; lag: number; follows: 'none' | 'previous' | 'missing' }
  | { kind: 'tick'; dt: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      name: fc.constantFrom(...NAMES),
      resource: fc.constantFrom(...RESOURCES),
      dt: fc.integer({ min: 0, max: 8 }),
      lag: fc.integer({ min: 0, max: 3 }),
      follows: fc.constantFrom('none' as const, 'none' as const, 'previous' as const, 'missing' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 40 }) }) },
);

const OPTIONS = { toleranceMicros: 60 * SEC, causalWaitMicros: 30 * SEC, expiredBucketBufferMicros: 60 * SEC };

/** Replays steps; the "store" (for leaderProcessed) and the clock survive across engines. */
class Driver {
  now = T;
  stored = new Set<string>();
  lastId: string | null = null;
  outputs: EngineOutput[] = [];
  n = 0;
  events = 0;

  constructor(public engine: TriggerEngine) {}

  run(steps: Step[]): void {
    for (const step of steps) {
      this.now += step.dt * SEC;
      if (step.kind === 'tick') this.engine.tick(this.now);
      else {
        const follows =
          step.follows === 'previous'
            ? this.lastId
            : step.follows === 'missing'
              ? `eeeeeeee-9999-7000-8000-${String(++this.n).padStart(12, '0')}`
              : null;
        const occurred = this.now - step.lag * SEC;
        const id = `eeeeeeee-0000-7000-8000-${String(++this.events).padStart(12, '0')}`;
        const event = ev(step.name, occurred, step.resource, { id, follows, received: this.now });
        const leaderProcessed = follows === null || this.stored.has(follows);
        this.stored.add(event.id);
        this.lastId = event.id;
        this.engine.onEvent({ event, occurred, received: this.now, leaderProcessed }, this.now);
      }
      this.outputs.push(this.engine.drain());
    }
  }

  firings(): string[] {
    return this.outputs.flatMap((o) => o.firings.map((f) => JSON.stringify([f.automation.id, f.firing])));
  }

  state(): { key: string; value: string }[] {
    const map = new Map<string, string | null>();
    for (const o of this.outputs) for (const r of o.state) map.set(r.key, r.value);
    return [...map].filter((e): e is [string, string] => e[1] !== null).map(([key, value]) => ({ key, value }));
  }
}

function engine(automations: Automation[], newId: () => string, extra: Partial<TriggerEngineOptions> = {}): TriggerEngine {
  const e = createTriggerEngine({ newId, ...OPTIONS, ...extra });
  e.loadAll(automations);
  return e;
}

describe('engine properties', () => {
  it('the arrival order of simultaneous events does not change how often a threshold trigger fires', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(0, 10, 60),
        fc.boolean(),
        fc.array(fc.constantFrom(...RESOURCES), { maxLength: 25 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 25, maxLength: 25 }),
        (threshold, within, keyed, resources, sortKeys) => {
          const a = automation(eventTrigger({ expect: ['x'], threshold, within, for_each: keyed ? ['prefect.resource.id'] : [] }));
          const events = resources.map((r) => ev('x', at(5), r));
          const count = (order: typeof events) => {
            const e = engine([a], idSequence());
            for (const event of order) e.onEvent({ event, occurred: at(5), received: at(5), leaderProcessed: true }, at(5));
            return e.drain().firings.length;
          };
          const shuffled = events
            .map((e, i) => [sortKeys[i]!, e] as const)
            .sort((x, y) => x[0] - y[0])
            .map(([, e]) => e);
          expect(count(shuffled)).toBe(count(events));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('state round-trips: drain, restore into a fresh engine, finish the scenario → the same firings', () => {
    fc.assert(
      fc.property(
        fc.array(triggerArb, { minLength: 1, maxLength: 4 }),
        fc.array(stepArb, { maxLength: 40 }),
        fc.nat(),
        (triggers, steps, cut) => {
          const automations = triggers.map((t) => automation(t));
          const split = steps.length === 0 ? 0 : cut % steps.length;
          const whole = new Driver(engine(automations, idSequence('a')));
          whole.run(steps);

          const ids = idSequence('a');
          const first = new Driver(engine(automations, ids));
          first.run(steps.slice(0, split));
          const restored = createTriggerEngine({ newId: ids, ...OPTIONS });
          restored.restore(first.state());
          restored.loadAll(automations);
          const second = new Driver(restored);
          Object.assign(second, { now: first.now, stored: first.stored, lastId: first.lastId, n: first.n, events: first.events });
          second.run(steps.slice(split));

          expect([...first.firings(), ...second.firings()]).toEqual(whole.firings());
          const finalState = new Driver(restored);
          finalState.outputs = [...first.outputs, ...second.outputs];
          expect(sortByKey(finalState.state())).toEqual(sortByKey(whole.state()));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('indexed candidate lookup and a scan of every trigger give the same firings and state', () => {
    fc.assert(
      fc.property(fc.array(triggerArb, { minLength: 1, maxLength: 8 }), fc.array(stepArb, { maxLength: 40 }), (triggers, steps) => {
        const automations = triggers.map((t) => automation(t));
        const indexed = new Driver(engine(automations, idSequence('i')));
        const scanned = new Driver(engine(automations, idSequence('i'), { candidateLookup: 'scan' }));
        indexed.run(steps);
        scanned.run(steps);
        expect(indexed.firings()).toEqual(scanned.firings());
        expect(sortByKey(indexed.state())).toEqual(sortByKey(scanned.state()));
      }),
      { numRuns: 200 },
    );
  });
});

function sortByKey(records: { key: string; value: string }[]): { key: string; value: string }[] {
  return [...records].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
