import { describe, expect, it } from 'vitest';
import type { RelatedResource, Resource } from '@herald/core';
import { at, automation, ev, EngineHarness, eventTrigger, MIN, T } from '../../test-support/trigger-engine-harness.js';

// Spec §6.2 through the engine's entry points with a virtual clock (W frozen at T unless moved).

const R_SPIDER: Resource = { 'prefect.resource.id': 'daddy-long-legs', kingdom: 'Animalia', class: 'Arachnida', genus: 'Pholcus' };
const R_CHONK: Resource = {
  'prefect.resource.id': 'woodchonk',
  kingdom: 'Animalia',
  class: 'Mammalia',
  genus: 'Marmota',
  species: 'monax',
};
const meal = (id: string, genus: string, species: string): RelatedResource => ({
  'prefect.resource.role': 'meal',
  'prefect.resource.id': id,
  genus,
  species,
});
const REL_NIBBLED = [meal('my-lily', 'Hemerocallis', 'fulva'), meal('my-tulip', 'Tulipa', 'gesneriana')];
const REL_GOBBLED = [meal('my-bleeding-heart', 'Dicentra', 'cucullaria'), meal('my-daffodil', 'Narcissus', 'poeticus')];

/** SLA_STREAM of §6.0: [name, resource, seconds]. */
const SLA_STREAM: [string, string, number][] = [
  ['scheduled', 'FASTBOI-1', 1],
  ['pending', 'FASTBOI-1', 2],
  ['scheduled', 'SLOWBOI', 2],
  ['running', 'FASTBOI-1', 3],
  ['pending', 'SLOWBOI', 3],
  ['running', 'SLOWBOI', 4],
  ['completed', 'FASTBOI-1', 10],
  ['pending', 'FASTBOI-2', 22],
  ['running', 'FASTBOI-2', 23],
  ['completed', 'FASTBOI-2', 30],
];
const slaEvents = () => SLA_STREAM.map(([state, run, s]) => ev(`prefect.flow-run.${state}`, at(s), `prefect.flow-run.${run}`));

describe('§6.2 reactive triggers', () => {
  it('S11 only expected names count', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['animal.walked'], match: { class: 'Arachnida' } }))]);
    expect(h.deliver(ev('animal.snoozed', at(0), R_SPIDER))).toHaveLength(0);
    expect(h.deliver(ev('animal.walked', at(1), R_SPIDER))).toHaveLength(1);
    expect(h.firings).toHaveLength(1);
  });

  it('S13 threshold not met: three events, the third beyond the window', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['animal.partied'], threshold: 3, within: 20 }))]);
    for (const s of [0, 1, 21]) h.deliver(ev('animal.partied', at(s), R_CHONK));
    expect(h.firings).toHaveLength(0);
  });

  it('S15 for_each on related labels uses the first related resource with the role', () => {
    const h = new EngineHarness([
      automation(
        eventTrigger({
          expect: ['animal.ingested'],
          for_each: ['related:meal:genus', 'related:meal:species'],
          threshold: 3,
          within: 10 * MIN,
        }),
      ),
    ]);
    const N = (s: number) => ev('animal.ingested', at(s), R_CHONK, { related: REL_NIBBLED });
    const G = (s: number) => ev('animal.ingested', at(s), R_CHONK, { related: REL_GOBBLED });
    h.deliver(N(1));
    h.deliver(N(2));
    h.deliver(G(1));
    const n3 = N(3);
    const first = h.deliver(n3);
    expect(first).toHaveLength(1);
    expect(first[0]!.firing.triggering_labels).toEqual({ 'related:meal:genus': 'Hemerocallis', 'related:meal:species': 'fulva' });
    expect(first[0]!.firing.triggering_event?.id).toBe(n3.id);
    expect(h.deliver(G(2))).toHaveLength(0);
    const g3 = G(3);
    const second = h.deliver(g3);
    expect(second[0]!.firing.triggering_labels).toEqual({ 'related:meal:genus': 'Dicentra', 'related:meal:species': 'cucullaria' });
    expect(second[0]!.firing.triggering_event?.id).toBe(g3.id);
    expect(h.firings).toHaveLength(2);
  });

  const failedPerRun = () =>
    eventTrigger({
      match: { 'prefect.resource.id': 'prefect.flow-run.*' },
      expect: ['prefect.flow-run.Failed'],
      for_each: ['prefect.resource.id'],
      within: 10,
    });
  const FR = 'prefect.flow-run.frfrfrfr';

  it('S17 follows: an early follower waits and is evaluated right after its leader', () => {
    const h = new EngineHarness([automation(failedPerRun())]);
    const P = ev('prefect.flow-run.Pending', at(0), FR, { received: at(2) });
    const R = ev('prefect.flow-run.Running', at(MIN), FR, { received: at(MIN + 2), follows: P.id });
    const F = ev('prefect.flow-run.Failed', at(3 * MIN), FR, { received: at(2 * MIN + 3), follows: R.id });
    expect(h.deliver(P)).toHaveLength(0);
    expect(h.deliver(F)).toHaveLength(0);
    expect(h.trace.some((e) => e.kind === 'waiting' && e.detail.event === F.id)).toBe(true);
    const fired = h.deliver(R);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_labels).toEqual({ 'prefect.resource.id': FR });
    expect(fired[0]!.firing.triggering_event?.id).toBe(F.id);
    expect(h.trace.some((e) => e.kind === 'released' && e.detail.event === F.id && e.detail.reason === 'leader processed')).toBe(true);
  });

  it('S19 lost followers — DECISIONS 16: followers received longer ago than the 30 s wait do not wait at all', () => {
    // Prefect parks F and R (received < 15 min ago) until maintenance at B+20m. Herald's wait is 30 s
    // measured from hand-over, and an event received more than that before hand-over proceeds at once,
    // so F fires when delivered, with its own event time (DECISIONS 12).
    const W = T;
    const B = W - 15 * MIN * 1e6;
    const h = new EngineHarness([automation(failedPerRun())]);
    const X = 'eeeeeeee-ffff-7000-8000-000000000000';
    h.deliver(ev('prefect.flow-run.Pending', B, FR, { received: B + 1e6 }));
    const F = ev('prefect.flow-run.Failed', B + 3 * MIN * 1e6, FR, { received: B + (2 * MIN + 3) * 1e6, follows: X });
    const fired = h.deliver(F);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_event?.id).toBe(F.id);
    expect(fired[0]!.firing.triggered).toBe(F.occurred);
    h.deliver(ev('prefect.flow-run.Running', B + MIN * 1e6, FR, { received: B + (MIN + 2) * 1e6, follows: X }));
    expect(h.tick(B + 10 * MIN * 1e6)).toHaveLength(0);
    expect(h.tick(B + 20 * MIN * 1e6)).toHaveLength(0);
    expect(h.firings).toHaveLength(1);
  });

  it('S19 (Herald form) lost followers wait 30 s, then are evaluated in occurred order at tick', () => {
    const h = new EngineHarness([automation(failedPerRun())]);
    const X = 'eeeeeeee-ffff-7000-8000-000000000001';
    h.deliver(ev('prefect.flow-run.Pending', at(0), FR));
    const F = ev('prefect.flow-run.Failed', at(3 * MIN), FR, { received: T, follows: X });
    const R = ev('prefect.flow-run.Running', at(MIN), FR, { received: T, follows: X });
    expect(h.deliver(F)).toHaveLength(0);
    expect(h.deliver(R)).toHaveLength(0);
    expect(h.engine.nextDeadline()).toBe(T + 30e6);
    expect(h.tick(T + 29e6)).toHaveLength(0);
    const fired = h.tick(T + 30e6);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_event?.id).toBe(F.id);
    const released = h.trace.filter((e) => e.kind === 'released').map((e) => e.detail.event);
    expect(released).toContain(F.id);
    expect(h.trace.find((e) => e.kind === 'released' && e.detail.event === F.id)?.detail.reason).toBe('wait expired');
  });

  it('S21 same event in after and expect, within 5: every second event fires', () => {
    const h = new EngineHarness([automation(eventTrigger({ after: ['some.event'], expect: ['some.event'], threshold: 1, within: 5 }))]);
    const results = [1, 2, 3, 4, 61, 62].map((s) => {
      const e = ev('some.event', at(s), R_CHONK);
      const fired = h.deliver(e);
      return (
        fired.length === 1 && fired[0]!.firing.triggering_event?.id === e.id && Object.keys(fired[0]!.firing.triggering_labels).length === 0
      );
    });
    expect(results).toEqual([false, true, false, true, false, true]);
  });

  it('S23 reversed burst with a threshold fires exactly once, on the last delivered event', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['some-event'], threshold: 10, within: 60 }))]);
    const events = Array.from({ length: 10 }, (_, i) => ev('some-event', T + i, R_CHONK));
    for (let i = 9; i >= 0; i--) h.deliver(events[i]!);
    expect(h.firings).toHaveLength(1);
    expect(h.firings[0]!.firing.triggering_labels).toEqual({});
    expect(h.firings[0]!.firing.triggering_event?.id).toBe(events[0]!.id);
  });

  it('S25 after-then-expect per run with threshold 0 fires once, for the run that was scheduled and completed', () => {
    const h = new EngineHarness([
      automation(
        eventTrigger({
          match: { 'prefect.resource.id': 'prefect.flow-run.*' },
          for_each: ['prefect.resource.id'],
          after: ['prefect.flow-run.scheduled'],
          expect: ['prefect.flow-run.completed'],
          threshold: 0,
        }),
      ),
    ]);
    const events = slaEvents();
    for (const e of events) h.deliver(e);
    expect(h.firings).toHaveLength(1);
    expect(h.firings[0]!.firing.triggering_labels).toEqual({ 'prefect.resource.id': 'prefect.flow-run.FASTBOI-1' });
    expect(h.firings[0]!.firing.triggering_event?.id).toBe(events[6]!.id);
  });

  it('S27 cooldown: events between a firing and the old window end are discarded', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['x'], threshold: 2, within: 10 }))]);
    const fires = [0, 1, 5, 12, 13].map((s) => {
      const e = ev('x', at(s), 'r');
      const fired = h.deliver(e);
      return fired.length === 1 ? fired[0]!.firing.triggering_event?.id === e.id : false;
    });
    expect(fires).toEqual([false, true, false, false, true]);
  });

  it('S29a within 0 with threshold 2 accumulates across time', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['x'], threshold: 2, within: 0 }))]);
    expect(h.deliver(ev('x', at(0), 'r'))).toHaveLength(0);
    const e = ev('x', at(30), 'r');
    const fired = h.deliver(e);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_event?.id).toBe(e.id);
  });

  it('S29b within 0 with threshold 2: the sweep clears the count (Q-B2)', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['x'], threshold: 2, within: 0 }))]);
    h.deliver(ev('x', at(0), 'r'));
    expect(h.engine.nextDeadline()).toBe(at(60));
    h.tick(at(70));
    expect(h.deliver(ev('x', at(75), 'r'))).toHaveLength(0);
    expect(h.deliver(ev('x', at(76), 'r'))).toHaveLength(1);
  });

  it('S31 a stale armed bucket blocks re-arming until an expected event clears it (Q-B3)', () => {
    const h = new EngineHarness([automation(eventTrigger({ after: ['A'], expect: ['B'], threshold: 1, within: 10 }))]);
    h.deliver(ev('A', at(0), 'r'));
    h.deliver(ev('A', at(30), 'r'));
    expect(h.deliver(ev('B', at(31), 'r'))).toHaveLength(0);
    h.deliver(ev('A', at(40), 'r'));
    const b = ev('B', at(41), 'r');
    const fired = h.deliver(b);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_labels).toEqual({});
    expect(fired[0]!.firing.triggering_event?.id).toBe(b.id);
  });

  it('DECISIONS 12: a reactive firing is stamped with its event time, and an event far in the future counts at its received time', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['x'], threshold: 2, within: 10 }))]);
    h.deliver(ev('x', at(0), 'r'));
    // Occurred 2 h ahead of its receipt (beyond the 60 s tolerance): it counts at received = @+1.
    const late = ev('x', at(7200), 'r', { received: at(1) });
    const fired = h.deliver(late);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggered).toBe(ev('x', at(1), 'r').occurred);
  });
});
