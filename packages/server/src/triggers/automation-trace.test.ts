import { describe, expect, it } from 'vitest';
import { AutomationTraces } from './automation-trace.js';

describe('AutomationTraces', () => {
  it('keeps the last entries of each automation, oldest first, and totals of everything recorded', () => {
    const traces = new AutomationTraces(3);
    traces.add(
      Array.from({ length: 5 }, (_, i) => ({
        automationId: 'a',
        at: 1_700_000_000_000_000 + i,
        kind: i % 2 ? 'matched' : 'counted',
        detail: { i },
      })),
    );
    traces.add([{ automationId: 'b', at: 1_700_000_000_000_000, kind: 'fired', detail: {} }]);
    const a = traces.view('a');
    expect(a.entries.map((e) => e.detail.i)).toEqual([2, 3, 4]);
    expect(a.entries[0]!.at).toBe('2023-11-14T22:13:20.000002Z');
    expect(a.totals).toEqual({ counted: 3, matched: 2 });
    expect(traces.view('b').totals).toEqual({ fired: 1 });
    expect(traces.view('unknown')).toEqual({ automation_id: 'unknown', capacity: 3, totals: {}, entries: [] });
  });

  it('shows the window bounds and waits the engine gives in µs as ISO times', () => {
    const traces = new AutomationTraces();
    traces.add([{ automationId: 'a', at: 0, kind: 'window', detail: { start: 1_700_000_000_000_000, end: 1_700_000_010_000_000, count: 2, key: ['r'] } }]);
    expect(traces.view('a').entries[0]!.detail).toEqual({ start: '2023-11-14T22:13:20Z', end: '2023-11-14T22:13:30Z', count: 2, key: ['r'] });
  });

  it('hands out changed traces once, and restores them', () => {
    const traces = new AutomationTraces();
    traces.add([{ automationId: 'a', at: 0, kind: 'matched', detail: {} }]);
    expect(traces.hasDirty()).toBe(true);
    const saved = traces.takeDirty();
    expect(traces.hasDirty()).toBe(false);
    expect(traces.takeDirty()).toEqual([]);
    const restored = new AutomationTraces();
    restored.restore([...saved.map((s) => ({ automationId: s.automationId, body: s.body! })), { automationId: 'broken', body: '{' }]);
    expect(restored.view('a').totals).toEqual({ matched: 1 });
    traces.forget('a');
    expect(traces.takeDirty()).toEqual([{ automationId: 'a', body: null }]);
  });
});
