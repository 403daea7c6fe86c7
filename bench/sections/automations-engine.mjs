// Section `automations-engine`: the pure trigger engine in process (no I/O), fed events as fast as it
// takes them, with 10 and with 10,000 automations loaded. Automation i expects event name `i % 100`
// and watches resource `⌊i / 100⌋` (with 10 loaded: names 0–9, one resource). Each event is drawn
// from the (name, resource) pairs that exist, so in both runs it counts for exactly one automation:
// with 10,000 loaded its name matches 1 % of them (100) and the resource-id index narrows those to
// the one. Event time advances so that each automation sees one event per 0.5 s in both runs. The
// ratio therefore shows what more automations (index, state size) cost, not extra matches.
// Every tenth automation is proactive (heartbeat style). Figures are for the steady state: the warm-up
// reaches every automation twice first. The engine is ticked and drained every 100
// events, as the service does per batch; trace recording stays on (bounded per drain). A third,
// informational run makes all 100 name matches count (100 evaluations per event; unkeyed triggers, so
// one window per automation).
import { createTriggerEngine } from '../../packages/server/dist/domain/triggers/trigger-engine.js';
import { failedFigure, figure } from '../lib/report.mjs';

const TARGET_EVENTS_PER_SECOND = 20_000;
const TARGET_RATIO = 0.5;
const NAMES = 100;
const DRAIN_EVERY = 100;
const T0 = Date.UTC(2026, 0, 1) * 1000;
const NAME = 'Engine throughput with 10,000 automations (1 % match each event by name)';

function automations(count, { sameResource = false } = {}) {
  const names = Math.min(count, NAMES);
  return Array.from({ length: count }, (_, i) => {
    const id = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const resource = sameResource ? 'bench.resource.*' : `bench.resource.${Math.floor(i / names)}`;
    const proactive = i % 10 === 9;
    return {
      id,
      created: '2026-01-01T00:00:00Z',
      updated: '2026-01-01T00:00:00Z',
      name: `bench ${i}`,
      description: '',
      enabled: true,
      tags: [],
      trigger: proactive
        ? {
            type: 'event',
            id: `10000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
            match: { 'prefect.resource.id': resource },
            match_related: {},
            after: [`bench.name-${i % names}.started`],
            expect: [`bench.name-${i % names}.started`],
            for_each: sameResource ? [] : ['prefect.resource.id'],
            posture: 'Proactive',
            threshold: 1,
            within: 60,
          }
        : {
            type: 'event',
            id: `10000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
            match: { 'prefect.resource.id': resource },
            match_related: {},
            after: [],
            expect: [`bench.name-${i % names}.started`],
            for_each: sameResource ? [] : ['prefect.resource.id'],
            posture: 'Reactive',
            threshold: 5,
            within: 10,
          },
      actions: [{ type: 'do-nothing' }],
      actions_on_trigger: [],
      actions_on_resolve: [],
    };
  });
}

/** Feeds events for `seconds` (after a warm-up); resolves with events/s, firings and candidate work. */
function measure(count, seconds, warmupSeconds, options) {
  let n = 0;
  const engine = createTriggerEngine({
    newId: () => `f-${++n}`,
    toleranceMicros: 60e6,
    causalWaitMicros: 30e6,
    expiredBucketBufferMicros: 60e6,
  });
  engine.loadAll(automations(count, options));
  const names = Math.min(count, NAMES);
  // Event time advances so that each automation sees one event per 0.5 s in both runs: the same
  // window, cooldown and firing pattern per event, whatever the number of automations.
  const step = Math.round(500_000 / count);
  let seq = 0;
  let firings = 0;
  let now = T0;
  const feed = (events) => {
    for (let i = 0; i < events; i++) {
      seq++;
      now += step;
      const iso = new Date(Math.floor(now / 1000)).toISOString();
      const pair = (seq * 7919) % count; // the automation this event is for, spread over all of them
      const event = {
        occurred: iso,
        event: `bench.name-${pair % names}.started`,
        resource: { 'prefect.resource.id': `bench.resource.${Math.floor(pair / names)}`, 'bench.seq': String(seq) },
        related: [],
        payload: {},
        id: `e-${seq}`,
        follows: null,
        received: iso,
      };
      engine.onEvent({ event, occurred: now, received: now, leaderProcessed: true }, now);
      if (seq % DRAIN_EVERY === 0) {
        engine.tick(now);
        firings += engine.drain().firings.length;
      }
    }
  };
  const runFor = (s, minEvents = 0) => {
    const start = performance.now();
    let events = 0;
    while (performance.now() - start < s * 1000 || events < minEvents) {
      feed(2_000);
      events += 2_000;
    }
    return { events, ms: performance.now() - start };
  };
  // Steady state: the warm-up reaches every automation twice, so that windows exist and are reused.
  runFor(warmupSeconds, 2 * count);
  firings = 0;
  const { events, ms } = runFor(seconds);
  return { eventsPerSecond: events / (ms / 1000), events, firings };
}

/** Runs the section; resolves with its figures. */
export async function runAutomationsEngineSection(ctx) {
  ctx.log('automations-engine: in-process engine with 10 and 10,000 automations');
  try {
    const seconds = Math.min(3, ctx.phase.seconds);
    const warmup = ctx.phase.warmup;
    // Interleaved and best-of-two, so that a noisy neighbour on the shared cores hurts both alike.
    const small = [];
    const large = [];
    for (let round = 0; round < 2; round++) {
      small.push(measure(10, seconds, warmup));
      large.push(measure(10_000, seconds, warmup));
    }
    const best = (runs) => runs.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
    const s = best(small);
    const l = best(large);
    const dense = measure(10_000, seconds, warmup, { sameResource: true });
    const rate = (r) => `${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s`;
    return [
      figure({
        id: 'automations-engine.throughput-10k',
        name: NAME,
        value: l.eventsPerSecond,
        unit: 'events/s',
        target: { op: '>=', value: TARGET_EVENTS_PER_SECOND },
        note: `${l.events.toLocaleString('en-US')} events, ${l.firings.toLocaleString('en-US')} firings; with 10 automations ${rate(s)}`,
        details: { large, small },
      }),
      figure({
        id: 'automations-engine.ratio',
        name: 'Engine throughput, 10,000 automations against 10',
        value: l.eventsPerSecond,
        unit: 'events/s',
        target: { op: '>=', value: TARGET_RATIO, on: 'ratio' },
        baseline: { name: '10 automations', value: s.eventsPerSecond },
      }),
      figure({
        id: 'automations-engine.dense',
        name: 'Engine throughput, 10,000 automations, 100 counting each event',
        value: dense.eventsPerSecond,
        unit: 'events/s',
        note: `${dense.firings.toLocaleString('en-US')} firings; every automation whose name matches also matches the resource`,
        details: { dense },
      }),
    ];
  } catch (error) {
    return [failedFigure('automations-engine.throughput-10k', NAME, 'events/s', error, { op: '>=', value: TARGET_EVENTS_PER_SECOND })];
  }
}
