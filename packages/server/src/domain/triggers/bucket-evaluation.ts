import { formatDateTime, type Firing, type ReceivedEvent } from '@herald/core';
import { bucketingKey, triggeringLabels, type CompiledEventTrigger, type CompiledNode } from './compiled-trigger.js';
import { bucketKey, type Bucket, type EngineState } from './engine-state.js';
import { PRECEDING_EVENT_LOOKBACK_MICROS, type TraceKind } from './engine-types.js';

/** What evaluation needs from the engine around it. */
export interface EvalContext {
  readonly state: EngineState;
  /** False once the trace budget of this drain is spent: callers skip building details. */
  readonly tracing: boolean;
  newId(): string;
  /** Routes a firing of `node` whose event time is `time`: to its parent composite, or out. */
  fire(node: CompiledNode, firing: Firing, time: number): void;
  trace(automationId: string, kind: TraceKind, detail: Record<string, unknown>): void;
}

/**
 * Spec §3.6 for one covered event and one trigger, with Herald's DECISIONS 11 (resolution) and 13
 * (a keyed proactive trigger without `after` opens a key's window on any covered event). `time` is the
 * event's time after the DECISIONS 12 tolerance.
 *
 * @example
 * evaluateCoveredEvent(ctx, trigger, event, occurredMicros);
 */
export function evaluateCoveredEvent(ctx: EvalContext, t: CompiledEventTrigger, event: ReceivedEvent, time: number): void {
  const name = event.event;
  const expected = t.expects(name);
  const key = bucketingKey(t, event);
  const keyJson = JSON.stringify(key);
  let bucket: Bucket | undefined;
  if (t.hasAfter && t.startsAfter(name)) {
    bucket = ensure(ctx, t, key, keyJson, { start: time, end: time + t.withinMicros, lastEvent: event, count: expected ? -1 : 0 });
  }
  if (!bucket && !t.hasAfter && expected) {
    bucket = ensure(ctx, t, key, keyJson, {
      start: time - PRECEDING_EVENT_LOOKBACK_MICROS,
      end: time + t.withinMicros,
      lastEvent: event,
      count: 0,
    });
  }
  if (!expected) {
    if (!bucket && t.opensOnAnyCoveredEvent) openKeyWindow(ctx, t, event, time);
    else if (ctx.tracing)
      ctx.trace(t.automation.id, 'matched', { event: event.id, trigger: t.trigger.id, key, armed: bucket !== undefined, expected: false });
    return;
  }
  if (t.proactive && t.parent === null) resolveIfFired(ctx, t, keyJson, event, time);
  bucket ??= ctx.state.getBucket(t.uid, keyJson);
  if (!bucket) {
    if (ctx.tracing) ctx.trace(t.automation.id, 'ignored', { event: event.id, trigger: t.trigger.id, key, reason: 'not armed' });
    return;
  }
  evaluateBucket(ctx, t, bucket, time, event);
}

/** DECISIONS 13: an event that only opens a key's window (name not expected, resources covered). */
export function openKeyWindow(ctx: EvalContext, t: CompiledEventTrigger, event: ReceivedEvent, time: number): void {
  const key = bucketingKey(t, event);
  ensure(ctx, t, key, JSON.stringify(key), { start: time, end: time + t.withinMicros, lastEvent: event, count: 0 });
}

/**
 * DECISIONS 11: a top-level proactive trigger that fired for a key resolves on the first expected,
 * covered event for that key whose time is at or after the end of the window that fired.
 */
function resolveIfFired(ctx: EvalContext, t: CompiledEventTrigger, keyJson: string, event: ReceivedEvent, time: number): void {
  const mark = ctx.state.getMark(t.uid, keyJson);
  if (!mark || time < mark.since) return;
  ctx.state.removeMark(mark);
  const key = JSON.parse(keyJson) as string[];
  const firing: Firing = {
    id: ctx.newId(),
    trigger: t.trigger,
    trigger_states: ['Resolved'],
    triggered: formatDateTime(time),
    triggering_labels: triggeringLabels(t, key),
    triggering_firings: [],
    triggering_event: event,
    triggering_value: null,
  };
  if (ctx.tracing)
    ctx.trace(t.automation.id, 'resolved', { event: event.id, trigger: t.trigger.id, key, firing: firing.id, resolves: mark.firingId });
  ctx.fire(t, firing, time);
}

interface Window {
  start: number;
  end: number;
  count: number;
  lastEvent: ReceivedEvent | null;
}

/** Spec §3.5 `ensure`: insert if absent; an existing bucket keeps its window and count, and takes `lastEvent` when one is given. */
function ensure(ctx: EvalContext, t: CompiledEventTrigger, key: string[], keyJson: string, w: Window): Bucket {
  const existing = ctx.state.getBucket(t.uid, keyJson);
  if (existing) {
    if (w.lastEvent && t.proactive) {
      existing.lastEvent = w.lastEvent;
      ctx.state.putBucket(existing);
    }
    return existing;
  }
  return startNew(ctx, t, key, keyJson, w);
}

/** Spec §3.5 `start_new`: insert or overwrite the window. */
function startNew(ctx: EvalContext, t: CompiledEventTrigger, key: string[], keyJson: string, w: Window): Bucket {
  const bucket: Bucket = {
    type: 'bucket',
    stateKey: bucketKey(t.uid, keyJson),
    automationId: t.automation.id,
    triggerId: t.trigger.id,
    triggerUid: t.uid,
    key,
    keyJson,
    start: w.start,
    end: w.end,
    count: w.count,
    // Only a proactive evaluation (no event at hand) fires with `last_event`; reactive firings always
    // carry the event being evaluated, so reactive buckets need not keep (and persist) one.
    lastEvent: t.proactive ? w.lastEvent : null,
  };
  ctx.state.putBucket(bucket);
  if (t.proactive) wake(ctx, t, w.end);
  if (ctx.tracing) ctx.trace(t.automation.id, 'window', { trigger: t.trigger.id, key, start: w.start, end: w.end, count: w.count });
  return bucket;
}

/** A proactive window ending at `end` must be evaluated then, not a whole `within` later. */
function wake(ctx: EvalContext, t: CompiledEventTrigger, end: number): void {
  const at = ctx.state.scheduledAt(t.uid);
  if (at !== undefined && end < at) ctx.state.setSchedule(t.automation.id, t.trigger.id, end);
}

/**
 * Spec §3.7 `evaluate(T, bucket, now, event?)`, step for step. Returns the bucket left in place, or
 * null when the key has none.
 *
 * @example
 * evaluateBucket(ctx, trigger, bucket, asOf, null); // proactive evaluation
 */
export function evaluateBucket(
  ctx: EvalContext,
  t: CompiledEventTrigger,
  bucket: Bucket,
  now: number,
  event: ReceivedEvent | null,
): Bucket | null {
  const { state } = ctx;
  const threshold = t.trigger.threshold;
  let pending = event ? 1 : 0;
  if (now < bucket.start) {
    if (event && ctx.tracing)
      ctx.trace(t.automation.id, 'ignored', {
        event: event.id,
        trigger: t.trigger.id,
        key: bucket.key,
        reason: 'before window',
        start: bucket.start,
        end: bucket.end,
      });
    return bucket;
  }
  if (event && (t.immediate || (bucket.start <= now && now < bucket.end))) {
    bucket.count += 1;
    if (t.proactive) bucket.lastEvent = event;
    state.putBucket(bucket);
    pending = 0;
    if (ctx.tracing)
      ctx.trace(t.automation.id, 'counted', {
        event: event.id,
        trigger: t.trigger.id,
        key: bucket.key,
        count: bucket.count,
        threshold,
        start: bucket.start,
        end: bucket.end,
      });
  }
  const ready = !t.proactive || bucket.end <= now;
  const satisfied = t.proactive ? bucket.count < threshold : bucket.count >= threshold;
  if (ready && satisfied) {
    const firing: Firing = {
      id: ctx.newId(),
      trigger: t.trigger,
      trigger_states: ['Triggered'],
      triggered: formatDateTime(now),
      triggering_labels: triggeringLabels(t, bucket.key),
      triggering_firings: [],
      triggering_event: event ?? bucket.lastEvent,
      triggering_value: null,
    };
    state.removeBucket(bucket);
    if (t.proactive && t.parent === null && !state.getMark(t.uid, bucket.keyJson)) {
      state.putMark({
        type: 'mark',
        automationId: t.automation.id,
        triggerId: t.trigger.id,
        keyJson: bucket.keyJson,
        since: bucket.end,
        firingId: firing.id,
      });
    }
    if (ctx.tracing)
      ctx.trace(t.automation.id, 'fired', {
        trigger: t.trigger.id,
        key: bucket.key,
        count: bucket.count,
        threshold,
        start: bucket.start,
        end: bucket.end,
        firing: firing.id,
        event: firing.triggering_event?.id ?? null,
      });
    ctx.fire(t, firing, now);
  } else if (now < bucket.end) {
    if (event && t.proactive && !satisfied && t.startsAfter(event.event) && t.expects(event.event)) {
      state.removeBucket(bucket);
      return startNew(ctx, t, bucket.key, bucket.keyJson, { start: now, end: now + t.withinMicros, count: 0, lastEvent: event });
    }
    return bucket;
  } else if (event && pending > 0 && t.hasAfter && ctx.tracing) {
    ctx.trace(t.automation.id, 'ignored', {
      event: event.id,
      trigger: t.trigger.id,
      key: bucket.key,
      reason: 'after window',
      start: bucket.start,
      end: bucket.end,
    });
  }
  // DECISIONS 13: a keyed proactive window opened by activity is forgotten after it closes, like an
  // armed one; the key is watched again from its next covered event (and resolved by an expected one).
  if (t.hasAfter || t.opensOnAnyCoveredEvent) {
    state.removeBucket(bucket);
    return null;
  }
  if (t.withinMicros === 0) return null;
  const start = Math.max(bucket.end, now);
  const end = start + t.withinMicros;
  if (!t.proactive && pending > 0) {
    const next = startNew(ctx, t, bucket.key, bucket.keyJson, { start, end, count: 0, lastEvent: null });
    return evaluateBucket(ctx, t, next, now, event);
  }
  return startNew(ctx, t, bucket.key, bucket.keyJson, { start, end, count: pending, lastEvent: null });
}

/**
 * Spec §3.8 for one proactive trigger at `asOf` (events-clock time), with DECISIONS 13: an unkeyed
 * trigger with `after` gets no window until armed. Returns the `as_of` of its next evaluation.
 *
 * @example
 * const nextRun = evaluateProactive(ctx, trigger, wallNow + offset);
 */
export function evaluateProactive(ctx: EvalContext, t: CompiledEventTrigger, asOf: number): number {
  const { state } = ctx;
  let runAgain = asOf + t.withinMicros;
  if (t.forEach.length === 0 && !t.hasAfter)
    ensure(ctx, t, [], '[]', { start: asOf, end: asOf + t.withinMicros, lastEvent: null, count: 0 });
  const map = state.buckets.get(t.uid);
  if (map) {
    const open: Bucket[] = [];
    for (const b of map.values()) {
      if (b.count >= t.trigger.threshold) {
        state.removeBucket(b);
        if (ctx.tracing)
          ctx.trace(t.automation.id, 'window', {
            trigger: t.trigger.id,
            key: b.key,
            start: b.start,
            end: b.end,
            count: b.count,
            closed: 'satisfied',
          });
      } else open.push(b);
    }
    open.sort((a, b) => a.start - b.start || (a.keyJson < b.keyJson ? -1 : a.keyJson > b.keyJson ? 1 : 0));
    for (const b of open) {
      if (state.getBucket(t.uid, b.keyJson) !== b) continue;
      const next = evaluateBucket(ctx, t, b, asOf, null);
      if (next && asOf < next.end && next.end < runAgain) runAgain = next.end;
    }
  }
  state.setSchedule(t.automation.id, t.trigger.id, runAgain);
  return runAgain;
}
