import { describe, expect, it } from 'vitest';
import type { ReceivedEvent, Trigger } from '@herald/core';
import { at, automation, compound, ev, EngineHarness, eventTrigger, sequence, T } from '../../test-support/trigger-engine-harness.js';

// Spec §6.4. The wall clock advances 1 ms per delivery, as §6.4 asks; with DECISIONS 12 the child
// firing times are event times anyway.

const child = (state: string) =>
  eventTrigger({
    posture: 'Reactive',
    expect: [`prefect.flow-run.${state}`],
    match: { 'prefect.resource.id': 'prefect.flow-run.*' },
    threshold: 1,
    within: 0,
  });

const frEvents = (): ReceivedEvent[] =>
  [
    ['Pending', '23456'],
    ['Running', '34567'],
    ['Completed', '45678'],
    ['Failed', '56789'],
  ].map(([state, id], i) =>
    ev(
      `prefect.flow-run.${state}`,
      T + i + 1,
      { 'prefect.resource.id': `prefect.flow-run.${id}`, flow_run_id: '1234', flow_id: '5678', tenant_id: '1234' },
      {
        related: [{ 'prefect.resource.id': 'my-deployment', 'prefect.resource.role': 'deployment', name: 'My Sweet Deployment' }],
      },
    ),
  );

function run(trigger: Trigger, events: ReceivedEvent[]): EngineHarness {
  const h = new EngineHarness([automation(trigger)]);
  events.forEach((e, i) => h.deliver(e, T + (i + 1) * 1000));
  return h;
}

const cake = (name: string, s: number, id = 'prefect.cake.12345') => ev(name, at(s), id);
const cakeChild = (name: string, resource = 'prefect.cake.*') =>
  eventTrigger({ expect: [name], match: { 'prefect.resource.id': resource } });

describe('§6.4 composite triggers', () => {
  it('S57 nested any fires once, with the Failed event', () => {
    const h = run(compound('any', [compound('any', [child('Failed'), child('NonExistent')], 300)], 300), frEvents());
    expect(h.firings).toHaveLength(1);
    expect(h.firings[0]!.firing.triggering_event?.event).toBe('prefect.flow-run.Failed');
    expect(h.firings[0]!.firing.triggering_labels).toEqual({});
  });

  it('S59 all with one child that never fires: no firing', () => {
    expect(run(compound('all', [child('Failed'), child('NotExistent')], 300), frEvents()).firings).toHaveLength(0);
  });

  it('S61 all of two anys: exactly one firing, completed by the Completed event', () => {
    const h = run(
      compound(
        'all',
        [compound('any', [child('Failed'), child('Completed')], 300), compound('any', [child('Completed'), child('NonExistent')], 300)],
        300,
      ),
      frEvents(),
    );
    expect(h.firings).toHaveLength(1);
    expect(h.firings[0]!.firing.triggering_event?.event).toBe('prefect.flow-run.Completed');
  });

  it('S63 all of two alls, one impossible: no firing', () => {
    const h = run(
      compound(
        'all',
        [compound('all', [child('Failed'), child('Completed')], 300), compound('all', [child('Completed'), child('NonExistent')], 300)],
        300,
      ),
      frEvents(),
    );
    expect(h.firings).toHaveLength(0);
  });

  it('S65 single-child sequence fires on its event and ignores others', () => {
    const t = () => sequence([cakeChild('cake.buy')], 5);
    expect(run(t(), [cake('cake.buy', 4)]).firings).toHaveLength(1);
    expect(run(t(), [cake('ingredients.buy', 4, 'prefect.ingredients.12345')]).firings).toHaveLength(0);
  });

  const baker = (within: number | null) =>
    sequence([cakeChild('cake.buy'), cakeChild('ingredients.mix', 'prefect.ingredients.*'), cakeChild('cake.bake')], within);
  const bakerEvents = () => [cake('cake.buy', 1), cake('ingredients.mix', 2, 'prefect.ingredients.23456'), cake('cake.bake', 3)];

  it('S69 sequence with within null and children spread over time fires once', () => {
    const events = [cake('cake.buy', 1), cake('ingredients.mix', 3600, 'prefect.ingredients.23456'), cake('cake.bake', 7200)];
    expect(run(baker(null), events).firings).toHaveLength(1);
    expect(run(baker(null), bakerEvents()).firings).toHaveLength(1);
  });

  it('DECISIONS 12: sequence `within` is event time — events 14 minutes apart miss a 5 s sequence even when processed back-to-back', () => {
    // Prefect's xfail (Q-K1): Prefect fires here because processing is fast.
    const events = [cake('cake.buy', 0), cake('ingredients.mix', 7 * 60, 'prefect.ingredients.23456'), cake('cake.bake', 14 * 60)];
    expect(run(baker(5), events).firings).toHaveLength(0);
    expect(run(baker(5), bakerEvents()).firings).toHaveLength(1);
  });

  it('DECISIONS 12: sequence order is event order, not delivery order', () => {
    const [buy, mix, bake] = bakerEvents();
    const h = run(baker(null), [mix!, buy!, bake!]);
    expect(h.firings).toHaveLength(1);
    const times = h.firings[0]!.firing.triggering_firings.map((f) => f.triggered);
    expect(times).toEqual([buy!.occurred, mix!.occurred, bake!.occurred]);
  });

  const host = () =>
    sequence([
      cakeChild('guest.greet', '*'),
      compound('all', [cakeChild('cake.buy'), cakeChild('ingredients.mix', 'prefect.ingredients.*'), cakeChild('cake.bake')]),
      cakeChild('cake.serve'),
    ]);

  it('S73 out of order with a compound inside a sequence: no firing', () => {
    const events = [
      cake('cake.buy', 4),
      cake('cake.bake', 5),
      cake('ingredients.mix', 6, 'prefect.ingredients.23456'),
      cake('cake.serve', 7),
      cake('guest.greet', 8),
    ];
    expect(run(host(), events).firings).toHaveLength(0);
  });

  it('S73 control: the same children in order fire', () => {
    const events = [
      cake('guest.greet', 3),
      cake('cake.buy', 4),
      cake('cake.bake', 5),
      cake('ingredients.mix', 6, 'prefect.ingredients.23456'),
      cake('cake.serve', 7),
    ];
    expect(run(host(), events).firings).toHaveLength(1);
  });

  it('S75 require 2 of 3', () => {
    const [A, B, C] = ['a', 'b', 'c'].map((n) => eventTrigger({ expect: [n] }));
    const h = new EngineHarness([automation(compound(2, [A!, B!, C!], null))]);
    const fires = ['a', 'b', 'c', 'a'].map((n, i) => h.deliver(ev(n, at(i), 'r'), T + i * 1000).length);
    expect(fires).toEqual([0, 1, 0, 1]);
  });

  it('S77 the latest child firing wins', () => {
    const [A, B] = ['a', 'b'].map((n) => eventTrigger({ expect: [n] }));
    const h = new EngineHarness([automation(compound('all', [A!, B!], null))]);
    const a1 = h.deliver(ev('a', at(0), 'r'), T + 1000);
    expect(a1).toHaveLength(0);
    h.deliver(ev('a', at(1), 'r'), T + 2000);
    const b = ev('b', at(2), 'r');
    const fired = h.deliver(b, T + 3000);
    expect(fired).toHaveLength(1);
    const { triggering_firings, triggering_event } = fired[0]!.firing;
    expect(triggering_firings).toHaveLength(2);
    expect(triggering_firings.map((f) => f.triggering_event?.occurred)).toEqual([ev('a', at(1), 'r').occurred, b.occurred]);
    expect(triggering_event?.id).toBe(b.id);
  });

  it('S79 no key correlation; labels dropped', () => {
    const A = eventTrigger({ expect: ['a'], for_each: ['prefect.resource.id'] });
    const B = eventTrigger({ expect: ['b'], for_each: ['prefect.resource.id'] });
    const h = new EngineHarness([automation(compound('all', [A, B], null))]);
    h.deliver(ev('a', at(0), 'r1'), T + 1000);
    const fired = h.deliver(ev('b', at(1), 'r2'), T + 2000);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggering_labels).toEqual({});
  });

  it('compound within (event time): children further apart than within do not combine', () => {
    const [A, B] = ['a', 'b'].map((n) => eventTrigger({ expect: [n] }));
    const h = new EngineHarness([automation(compound('all', [A!, B!], 10))]);
    h.deliver(ev('a', at(0), 'r'));
    expect(h.deliver(ev('b', at(11), 'r'))).toHaveLength(0);
    const fired = h.deliver(ev('a', at(15), 'r'));
    expect(fired).toHaveLength(1);
    expect(fired[0]!.firing.triggered).toBe(ev('a', at(15), 'r').occurred);
  });
});
