import { formatDateTime, type Firing } from '@herald/core';
import type { EvalContext } from './bucket-evaluation.js';
import type { CompiledComposite } from './compiled-trigger.js';
import type { ChildRow } from './engine-state.js';

/**
 * Spec §3.10 `evaluate_composite` with DECISIONS 12: a child firing's time is event time (its
 * triggering event's time, or the proactive evaluation's `as_of`), so `within` bounds the spread of
 * child event times and a sequence orders its children by event time (ties: processing order).
 *
 * @example
 * evaluateComposite(ctx, parent, childFiring, childTime);
 */
export function evaluateComposite(ctx: EvalContext, c: CompiledComposite, child: Firing, time: number): void {
  if (c.needed === 1) {
    fireComposite(ctx, c, [child], time, child);
    return;
  }
  const { state } = ctx;
  const within = c.withinMicros;
  const rows = state.childRows(c.uid);
  if (within !== null && rows) {
    for (const row of [...rows.values()]) if (row.time < time - within) state.removeChild(row);
  }
  state.putChild({
    type: 'child',
    automationId: c.automation.id,
    parentId: c.trigger.id,
    childId: child.trigger.id,
    firing: child,
    time,
    seq: state.nextChildSeq(),
  });
  const current = state.childRows(c.uid)!;
  const considered: ChildRow[] = [];
  for (const id of c.childIds) {
    const row = current.get(id);
    if (row && (within === null || row.time <= time + within)) considered.push(row);
  }
  considered.sort((a, b) => a.time - b.time || a.seq - b.seq);
  const ready = isReady(c, considered);
  if (ctx.tracing) {
    ctx.trace(c.automation.id, 'counted', {
      trigger: c.trigger.id,
      child: child.trigger.id,
      firing: child.id,
      remembered: considered.length,
      needed: c.needed,
      ready,
    });
  }
  if (!ready) return;
  for (const row of considered) state.removeChild(row);
  fireComposite(
    ctx,
    c,
    considered.map((r) => r.firing),
    considered[considered.length - 1]!.time,
    child,
  );
}

function isReady(c: CompiledComposite, rows: ChildRow[]): boolean {
  if (rows.length < c.needed || rows.length === 0) return false;
  if (c.withinMicros !== null && rows[rows.length - 1]!.time - rows[0]!.time > c.withinMicros) return false;
  if (c.trigger.type === 'compound') return true;
  return rows.every((row, i) => row.childId === c.childIds[i]);
}

function fireComposite(ctx: EvalContext, c: CompiledComposite, firings: Firing[], time: number, completing: Firing): void {
  const firing: Firing = {
    id: ctx.newId(),
    trigger: c.trigger,
    trigger_states: ['Triggered'],
    triggered: formatDateTime(time),
    triggering_labels: {},
    triggering_firings: firings,
    triggering_event: completing.triggering_event,
    triggering_value: null,
  };
  if (c.parent === null && ctx.tracing)
    ctx.trace(c.automation.id, 'fired', { trigger: c.trigger.id, firing: firing.id, children: firings.map((f) => f.id) });
  ctx.fire(c, firing, time);
}
