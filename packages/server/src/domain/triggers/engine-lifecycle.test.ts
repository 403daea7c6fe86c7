import { describe, expect, it } from 'vitest';
import type { Automation, EventTrigger } from '@herald/core';
import { createTriggerEngine } from './trigger-engine.js';
import { at, automation, ev, EngineHarness, eventTrigger, idSequence, SEC, T } from '../../test-support/trigger-engine-harness.js';

const lineage = (ids: string[]) => ({
  'prefect.resource.id': `herald.lineage.${ids[0]}`,
  'prefect.resource.role': 'herald-lineage',
  'herald.automations': ids.join(','),
});
const sadness = (): EventTrigger => eventTrigger({ posture: 'Proactive', expect: ['animal.walked'], threshold: 1, within: 30 });

describe('§6.5 loading, enabling, consumer behaviour', () => {
  it('S81 a disabled automation is not evaluated; enabling it (same trigger ids) makes it fire', () => {
    const a = automation(eventTrigger({ expect: ['x'] }), { enabled: false });
    const h = new EngineHarness([a]);
    expect(h.deliver(ev('x', at(0), 'r'))).toHaveLength(0);
    h.engine.upsert({ ...a, enabled: true });
    expect(h.deliver(ev('x', at(1), 'r'))).toHaveLength(1);
    h.engine.upsert({ ...a, enabled: false });
    expect(h.deliver(ev('x', at(2), 'r'))).toHaveLength(0);
  });

  it('S83 duplicate delivery of one event id is evaluated once', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['x'] }))]);
    const e = ev('x', at(0), 'r');
    h.deliver(e);
    h.deliver(e);
    for (let i = 0; i < 50; i++) h.deliver(e);
    expect(h.firings).toHaveLength(1);
  });

  it('S85 reload: an unchanged automation keeps its proactive schedule; a changed one is evaluated afresh', () => {
    const a = automation(sadness());
    const h = new EngineHarness([a]);
    h.tick(at(0));
    expect(h.engine.nextDeadline()).toBe(at(30));
    h.engine.loadAll([a]);
    expect(h.engine.nextDeadline()).toBe(at(30));
    const changed: Automation = { ...a, trigger: { ...(a.trigger as EventTrigger), within: 60 } };
    h.engine.loadAll([changed]);
    // Schedule cleared: due at once (the last wall time the engine saw).
    expect(h.engine.nextDeadline()).toBe(at(0));
    // Forgotten: no proactive work; its bucket is kept (as Prefect does) until the sweep at end + 60 s.
    h.engine.forget(a.id);
    expect(h.engine.nextDeadline()).toBe(at(90));
  });
});

describe('resolution (DECISIONS 11)', () => {
  it('an unkeyed proactive trigger that fired resolves on the next expected event, once', () => {
    const h = new EngineHarness([automation(sadness())]);
    h.tick(at(0));
    expect(h.tick(at(30))).toHaveLength(1);
    expect(h.tick(at(60))).toHaveLength(1);
    const walked = ev('animal.walked', at(65), 'r');
    const out = h.deliver(walked, at(65));
    expect(out).toHaveLength(1);
    const resolved = out[0]!.firing;
    expect(resolved.trigger_states).toEqual(['Resolved']);
    expect(resolved.triggering_event?.id).toBe(walked.id);
    expect(resolved.triggered).toBe(walked.occurred);
    expect(h.deliver(ev('animal.walked', at(66), 'r'), at(66))).toHaveLength(0);
    expect(h.trace.some((e) => e.kind === 'resolved')).toBe(true);
  });

  it('a keyed trigger resolves per key, and an event older than the fired window does not resolve it', () => {
    const h = new EngineHarness([
      automation(
        eventTrigger({
          posture: 'Proactive',
          for_each: ['prefect.resource.id'],
          after: ['hb'],
          expect: ['hb', 'done'],
          threshold: 1,
          within: 60,
        }),
      ),
    ]);
    h.deliver(ev('hb', at(0), 'r1'));
    h.deliver(ev('hb', at(0), 'r2'));
    h.deliver(ev('done', at(10), 'r2'));
    const fired = h.tick(at(60));
    expect(fired.map((f) => f.firing.triggering_labels)).toEqual([{ 'prefect.resource.id': 'r1' }]);
    expect(h.deliver(ev('done', at(59), 'r1'), at(61))).toHaveLength(0);
    expect(h.deliver(ev('done', at(70), 'r2'), at(70))).toHaveLength(0);
    const out = h.deliver(ev('done', at(71), 'r1'), at(71));
    expect(out.map((f) => [f.firing.trigger_states, f.firing.triggering_labels])).toEqual([
      [['Resolved'], { 'prefect.resource.id': 'r1' }],
    ]);
  });

  it('reactive triggers never resolve', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['x'] }))]);
    h.deliver(ev('x', at(0), 'r'));
    h.deliver(ev('x', at(1), 'r'));
    expect(h.resolved()).toHaveLength(0);
    expect(h.triggered()).toHaveLength(2);
  });
});

describe('runtime loop protection (ARCHITECTURE invariant 9)', () => {
  it("an event carrying the automation's own id in its lineage never counts for it, but counts for others", () => {
    const mine = automation(eventTrigger({ expect: ['herald.automation.triggered'] }));
    const other = automation(eventTrigger({ expect: ['herald.automation.triggered'] }));
    const h = new EngineHarness([mine, other]);
    const out = h.deliver(ev('herald.automation.triggered', at(0), 'herald.automation.x', { related: [lineage([mine.id])] }));
    expect(out.map((f) => f.automation.id)).toEqual([other.id]);
    expect(h.trace.find((e) => e.automationId === mine.id)?.detail.reason).toBe('loop');
  });

  it('an event whose lineage has 8 ids or more is never evaluated', () => {
    const a = automation(eventTrigger({ expect: ['x'] }));
    const h = new EngineHarness([a]);
    const ids = Array.from({ length: 8 }, (_, i) => `id-${i}`);
    expect(h.deliver(ev('x', at(0), 'r', { related: [lineage(ids)] }))).toHaveLength(0);
    expect(h.trace.find((e) => e.automationId === a.id)).toMatchObject({ kind: 'rejected', detail: { reason: 'loop' } });
    expect(h.deliver(ev('x', at(1), 'r', { related: [lineage(ids.slice(1))] }))).toHaveLength(1);
  });
});

describe('causal ordering (DECISIONS 16)', () => {
  it('a self-follow never waits', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['x'] }))]);
    const id = 'eeeeeeee-1111-7000-8000-000000000001';
    expect(h.deliver(ev('x', at(0), 'r', { id, follows: id, received: T }))).toHaveLength(1);
  });

  it('followers chain: a follower of a parked event waits too, and both are released in order by the leader', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['b', 'c'], threshold: 2, within: 60 }))]);
    const a = ev('a', at(0), 'r');
    const b = ev('b', at(1), 'r', { follows: a.id });
    const c = ev('c', at(2), 'r', { follows: b.id });
    h.deliver(b);
    h.deliver(c); // b is in the store but parked in the engine: c waits for it
    expect(h.trace.filter((e) => e.kind === 'waiting')).toHaveLength(2);
    const out = h.deliver(a);
    expect(out).toHaveLength(1);
    expect(out[0]!.firing.triggering_event?.id).toBe(c.id);
  });

  it('waits are recorded with their deadline, and nextDeadline reports the earliest release', () => {
    const h = new EngineHarness([automation(eventTrigger({ expect: ['x'] }))]);
    h.deliver(ev('x', at(0), 'r', { follows: 'eeeeeeee-2222-7000-8000-000000000000', received: T }), T);
    expect(h.trace.find((e) => e.kind === 'waiting')?.detail.until).toBe(T + 30 * SEC);
    expect(h.engine.nextDeadline()).toBe(T + 30 * SEC);
  });
});

describe('trace', () => {
  it('is bounded per drain', () => {
    const engine = createTriggerEngine({
      newId: idSequence(),
      toleranceMicros: 60e6,
      causalWaitMicros: 30e6,
      expiredBucketBufferMicros: 60e6,
      maxTracePerDrain: 5,
    });
    engine.loadAll([automation(eventTrigger({ expect: ['x'] }))]);
    for (let i = 0; i < 20; i++)
      engine.onEvent({ event: ev('x', at(i), 'r'), occurred: at(i), received: at(i), leaderProcessed: true }, at(i));
    const out = engine.drain();
    expect(out.firings).toHaveLength(20);
    expect(out.trace).toHaveLength(5);
    expect(out.traceTruncated).toBe(true);
    engine.onEvent({ event: ev('x', at(30), 'r'), occurred: at(30), received: at(30), leaderProcessed: true }, at(30));
    expect(engine.drain().trace.length).toBeGreaterThan(0);
  });

  it('explains a resource mismatch', () => {
    const a = automation(eventTrigger({ expect: ['x'], match: { env: 'prod' } }));
    const h = new EngineHarness([a]);
    h.deliver(ev('x', at(0), { 'prefect.resource.id': 'r', env: 'dev' }));
    expect(h.trace).toEqual([
      expect.objectContaining({ automationId: a.id, kind: 'rejected', detail: expect.objectContaining({ reason: 'resource' }) }),
    ]);
  });
});
