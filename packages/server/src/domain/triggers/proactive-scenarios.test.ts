import { describe, expect, it } from 'vitest';
import type { EventTrigger } from '@herald/core';
import { at, automation, ev, EngineHarness, eventTrigger, MIN, SEC, T } from '../../test-support/trigger-engine-harness.js';

// Spec §6.3. P(t) is a tick at wall time t: the engine evaluates a proactive trigger when its window
// closes (nextDeadline), so a P(t) between deadlines has nothing to do, as Prefect's would.

const sadness = (): EventTrigger =>
  eventTrigger({
    posture: 'Proactive',
    expect: ['animal.walked'],
    match: { genus: 'Marmota', species: 'monax' },
    threshold: 1,
    within: 30,
  });

const SLA: [string, string, number][] = [
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

describe('§6.3 proactive triggers', () => {
  it('S33 absence without keys fires every window while nothing arrives', () => {
    const h = new EngineHarness([automation(sadness())]);
    const steps = [0, 9, 10, 30, 31, 60].map((s) => h.tick(at(s)));
    expect(steps.map((f) => f.length)).toEqual([0, 0, 0, 1, 0, 1]);
    for (const f of h.firings) {
      expect(f.firing.triggering_labels).toEqual({});
      expect(f.firing.triggering_event).toBeNull();
    }
    expect(h.firings[0]!.firing.triggered).toBe(ev('x', at(30), 'r').occurred);
  });

  it('S35 absence resolved by the expected event before the window closes', () => {
    const h = new EngineHarness([
      automation(
        eventTrigger({
          posture: 'Proactive',
          match: { 'prefect.resource.id': 'prefect.work-queue.*' },
          for_each: ['prefect.resource.id'],
          after: ['prefect.work-queue.unhealthy'],
          expect: ['prefect.work-queue.healthy'],
          threshold: 1,
          within: 3600,
        }),
      ),
    ]);
    h.deliver(ev('prefect.work-queue.unhealthy', at(0), 'prefect.work-queue.q1'));
    h.deliver(ev('prefect.work-queue.healthy', at(20 * MIN), 'prefect.work-queue.q1'));
    expect(h.tick(at(21 * MIN))).toHaveLength(0);
    expect(h.tick(at(120 * MIN))).toHaveLength(0);
  });

  it('S37 heartbeat-style threshold 2, unsatisfied — DECISIONS 13: the continuation does not fire', () => {
    // Prefect (Q-P1) opens an unarmed window at @+30 and fires at @+40. Herald honours `after` for an
    // unkeyed trigger: no window until the next arming event, so P(@+40) finds nothing.
    const h = new EngineHarness([
      automation(eventTrigger({ posture: 'Proactive', after: ['s'], expect: ['s'], threshold: 2, within: 10 })),
    ]);
    h.deliver(ev('s', at(1), 'r'));
    expect(h.tick(at(2))).toHaveLength(0);
    const s3 = ev('s', at(3), 'r');
    h.deliver(s3);
    expect(h.tick(at(4))).toHaveLength(0);
    const fired = h.tick(at(11));
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_labels).toEqual({});
    expect(fired[0]!.firing.triggering_event?.id).toBe(s3.id);
    expect(h.tick(at(30))).toHaveLength(0);
    expect(h.tick(at(40))).toHaveLength(0);
  });

  it('S39 zombie detection: fires for the run whose heartbeats stopped, with the last heartbeat', () => {
    const h = new EngineHarness([
      automation(
        eventTrigger({
          posture: 'Proactive',
          match: { 'prefect.resource.id': 'prefect.flow-run.*' },
          after: ['prefect.flow-run.heartbeat'],
          expect: ['prefect.flow-run.*'],
          for_each: ['prefect.resource.id'],
          threshold: 1,
          within: 90,
        }),
      ),
    ]);
    const r = 'prefect.flow-run.zombie';
    h.deliver(ev('prefect.flow-run.heartbeat', at(0), r));
    const hb30 = ev('prefect.flow-run.heartbeat', at(30), r);
    h.deliver(hb30);
    expect(h.tick(at(31))).toHaveLength(0);
    expect(h.engine.nextDeadline()).toBe(at(120));
    const fired = h.tick(at(121));
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_labels).toEqual({ 'prefect.resource.id': r });
    expect(fired[0]!.firing.triggering_event?.id).toBe(hb30.id);
  });

  it('S41 heartbeat with for_each and threshold 1 fires exactly once', () => {
    const h = new EngineHarness([
      automation(
        eventTrigger({
          posture: 'Proactive',
          for_each: ['prefect.resource.id'],
          after: ['some-event'],
          expect: ['some-event'],
          threshold: 1,
          within: 5 * MIN,
        }),
      ),
    ]);
    expect(h.tick(at(0))).toHaveLength(0);
    h.deliver(ev('some-event', at(MIN), 'some.resource'));
    const e2 = ev('some-event', at(2 * MIN), 'some.resource');
    h.deliver(e2);
    expect(h.tick(at(5 * MIN))).toHaveLength(0);
    const fired = h.tick(at(10 * MIN));
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_labels).toEqual({ 'prefect.resource.id': 'some.resource' });
    expect(fired[0]!.firing.triggering_event?.id).toBe(e2.id);
    expect(h.firings).toHaveLength(1);
  });

  it('S43 SLA with a wildcard expect that is a superset: only the slow run fires', () => {
    const h = new EngineHarness([
      automation(
        eventTrigger({
          posture: 'Proactive',
          match: { 'prefect.resource.id': 'prefect.flow-run.*' },
          for_each: ['prefect.resource.id'],
          after: ['prefect.flow-run.running'],
          expect: ['prefect.flow-run.*'],
          threshold: 1,
          within: 10,
        }),
      ),
    ]);
    const events = SLA.map(([state, run, s]) => ev(`prefect.flow-run.${state}`, at(s), `prefect.flow-run.${run}`));
    for (const e of events) h.deliver(e);
    h.tick(at(40));
    expect(h.firings).toHaveLength(1);
    expect(h.firings[0]!.firing.triggering_labels).toEqual({ 'prefect.resource.id': 'prefect.flow-run.SLOWBOI' });
    expect(h.firings[0]!.firing.triggering_event?.id).toBe(events[5]!.id);
  });

  const regression3244 = (withCompleted: boolean): number => {
    const h = new EngineHarness([
      automation(
        eventTrigger({
          posture: 'Proactive',
          match: { 'prefect.resource.id': 'prefect.flow-run.*' },
          for_each: ['prefect.resource.id'],
          after: ['prefect.flow-run.Pending'],
          expect: ['prefect.flow-run.Completed'],
          threshold: 1,
          within: 2 * 3600,
        }),
      ),
    ]);
    const r = 'prefect.flow-run.r3244';
    const Pd = ev('prefect.flow-run.Pending', at(MIN), r);
    const Rn = ev('prefect.flow-run.Running', at(2 * MIN), r, { follows: Pd.id });
    const Cp = ev('prefect.flow-run.Completed', at(2 * MIN + 30), r, { follows: Rn.id });
    const Lg = ev('prefect.log.write', at(2 * MIN + 10), r, { follows: Rn.id });
    h.deliver(Pd);
    if (withCompleted) {
      h.deliver(Cp);
      expect(h.trace.some((e) => e.kind === 'waiting' && e.detail.event === Cp.id)).toBe(true);
    }
    h.deliver(Lg);
    h.deliver(Rn);
    let firedAt = -1;
    for (const m of [3, 4, 5, 119, 120, 121, 123, 124, 125, 250]) if (h.tick(at(m * MIN)).length > 0) firedAt = m;
    expect(h.firings.length).toBeLessThanOrEqual(1);
    return h.firings.length === 0 ? 0 : firedAt;
  };

  it('S47 regression 3244: a parked Completed is released by its leader and satisfies the window', () => {
    // With the 30 s wait of DECISIONS 16 the outcome is the same: the wall clock does not move between
    // deliveries here, and had it moved past 30 s the release at tick would count Completed just the same.
    expect(regression3244(true)).toBe(0);
  });

  it('S47 control (S48 shape): without Completed the trigger fires once, when the window closes', () => {
    expect(regression3244(false)).toBe(121);
  });

  const offsetTrigger = () =>
    eventTrigger({
      posture: 'Proactive',
      match: { 'prefect.resource.id': 'prefect.flow-run.*' },
      for_each: ['prefect.resource.id'],
      after: ['prefect.flow-run.Pending'],
      expect: ['prefect.flow-run.*'],
      threshold: 1,
      within: 5 * MIN,
    });

  it('S49 events-clock offset: a late Running satisfies the window', () => {
    const S = T;
    const h = new EngineHarness([automation(offsetTrigger())]);
    const r = 'prefect.flow-run.offset';
    h.deliver(ev('prefect.flow-run.Pending', S - 20 * MIN * SEC, r));
    expect(h.tick(S + MIN * SEC)).toHaveLength(0);
    expect(h.tick(S + 4 * MIN * SEC)).toHaveLength(0);
    h.deliver(ev('prefect.flow-run.Running', S - 19 * MIN * SEC, r), S);
    expect(h.tick(S + 6 * MIN * SEC)).toHaveLength(0);
    expect(h.firings).toHaveLength(0);
  });

  it('S50 events-clock offset: without a later event the window fires when as_of passes its end', () => {
    const S = T;
    const h = new EngineHarness([automation(offsetTrigger())]);
    h.deliver(ev('prefect.flow-run.Pending', S - 20 * MIN * SEC, 'prefect.flow-run.offset'));
    expect(h.tick(S + MIN * SEC)).toHaveLength(0);
    expect(h.tick(S + 4 * MIN * SEC)).toHaveLength(0);
    expect(h.engine.nextDeadline()).toBe(S + 5 * MIN * SEC);
    expect(h.tick(S + 6 * MIN * SEC)).toHaveLength(1);
    expect(h.firings).toHaveLength(1);
  });

  it('S51 events-clock offset: an unrelated event moves the clock and the window fires', () => {
    const S = T;
    const h = new EngineHarness([automation(offsetTrigger())]);
    h.deliver(ev('prefect.flow-run.Pending', S - 20 * MIN * SEC, 'prefect.flow-run.offset'));
    expect(h.tick(S + MIN * SEC)).toHaveLength(0);
    expect(h.tick(S + 4 * MIN * SEC)).toHaveLength(0);
    h.deliver(ev('something.else', S - 6 * MIN * SEC, 'any.other.resource'), S);
    expect(h.tick(S + 6 * MIN * SEC)).toHaveLength(1);
    expect(h.firings).toHaveLength(1);
  });

  const cancelLongRunning = () =>
    eventTrigger({
      posture: 'Proactive',
      match: { 'prefect.resource.id': 'prefect.flow-run.*' },
      for_each: ['prefect.resource.id'],
      expect: ['prefect.flow-run.Completed'],
      threshold: 1,
      within: 300,
    });

  it('S53 proactive for_each without after, threshold 1: the only event is the expected one, so no firing', () => {
    // Prefect can never fire here (Q-P3). DECISIONS 13 makes the trigger able to fire (next test); with
    // the scenario's events — a Completed and nothing else — the window it opens is satisfied at once.
    const h = new EngineHarness([automation(cancelLongRunning())]);
    h.deliver(ev('prefect.flow-run.Completed', at(0), 'prefect.flow-run.r1'));
    expect(h.tick(at(300))).toHaveLength(0);
    expect(h.tick(at(600))).toHaveLength(0);
  });

  it('S53 (DECISIONS 13) the docs example works: a run that starts and does not complete in time fires', () => {
    const h = new EngineHarness([automation(cancelLongRunning())]);
    h.tick(at(0));
    const r1 = ev('prefect.flow-run.Running', at(0), 'prefect.flow-run.r1');
    h.deliver(r1);
    h.deliver(ev('prefect.flow-run.Running', at(10), 'prefect.flow-run.r2'));
    h.deliver(ev('prefect.flow-run.Completed', at(100), 'prefect.flow-run.r2'));
    expect(h.engine.nextDeadline()).toBe(at(300));
    const fired = h.tick(at(300));
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_labels).toEqual({ 'prefect.resource.id': 'prefect.flow-run.r1' });
    expect(fired[0]!.firing.triggering_event?.id).toBe(r1.id);
    // Fired once: the key is not watched again until it shows activity (no repeat every 300 s).
    expect(h.tick(at(310))).toHaveLength(0);
    expect(h.tick(at(900))).toHaveLength(0);
    const done = ev('prefect.flow-run.Completed', at(950), 'prefect.flow-run.r1');
    const resolved = h.deliver(done, at(950));
    expect(resolved.map((f) => f.firing.trigger_states)).toEqual([['Resolved']]);
  });

  it('S55 proactive `after` — DECISIONS 13: an unkeyed trigger does not fire before it is armed', () => {
    // Prefect (Q-P1) ignores `after` here and fires at @+10 and @+25; Herald waits for sprinkler.off.
    const h = new EngineHarness([
      automation(eventTrigger({ posture: 'Proactive', after: ['sprinkler.off'], expect: ['sprinkler.on'], threshold: 1, within: 10 })),
    ]);
    expect([0, 10, 15, 25].map((s) => h.tick(at(s)).length)).toEqual([0, 0, 0, 0]);
    const off = ev('sprinkler.off', at(30), 'garden');
    h.deliver(off, at(30));
    const fired = h.tick(at(40));
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_event?.id).toBe(off.id);
  });

  it('a proactive trigger fires within 1 s of its window closing: nextDeadline is the window end', () => {
    const h = new EngineHarness([automation(sadness())]);
    h.tick(at(0));
    expect(h.engine.nextDeadline()).toBe(at(30));
    expect(h.tick(at(30) - 1)).toHaveLength(0);
    expect(h.tick(at(30))).toHaveLength(1);
  });
});
