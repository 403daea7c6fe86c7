import { formatDateTime } from '@herald/core';

/** One decision or outcome, as the engine (H3's `TraceEntry`) or the action runner records it. */
export interface TraceInput {
  automationId: string;
  /** Wall-clock µs. */
  at: number;
  /** Engine: matched, rejected, counted, ignored, window, waiting, released, fired, resolved. Runner: state-event, action-attempt, action. */
  kind: string;
  detail: Record<string, unknown>;
}

/** One entry of `GET /api/automations/{id}/trace`. */
export interface TraceEntryView {
  at: string;
  kind: string;
  detail: Record<string, unknown>;
}

/** The body of `GET /api/automations/{id}/trace`. */
export interface AutomationTraceView {
  automation_id: string;
  /** Most entries kept; older ones are dropped first. */
  capacity: number;
  /** Entries recorded per kind since the trace began, including those dropped. */
  totals: Record<string, number>;
  /** Oldest first. */
  entries: TraceEntryView[];
}

interface StoredTrace {
  totals: Record<string, number>;
  entries: TraceEntryView[];
}

/**
 * The bounded per-automation trace: the last `capacity` entries of each automation and totals per
 * kind. It lives in memory; `takeDirty` hands the traces changed since the last call to the trigger
 * service, which saves them with its next commit, so a restart keeps them (up to the last few
 * seconds of entries).
 *
 * @example
 * const traces = new AutomationTraces(500);
 * traces.add([{ automationId: 'a', at: now, kind: 'matched', detail: { event_id: '…' } }]);
 * traces.view('a')?.entries.length // 1
 */
export class AutomationTraces {
  private readonly traces = new Map<string, StoredTrace>();
  private readonly dirty = new Set<string>();

  constructor(readonly capacity = 500) {}

  /** Loads traces saved earlier (bodies from `takeDirty`); unreadable bodies are skipped. */
  restore(rows: readonly { automationId: string; body: string }[]): void {
    for (const row of rows) {
      try {
        const parsed = JSON.parse(row.body) as StoredTrace;
        if (Array.isArray(parsed.entries) && typeof parsed.totals === 'object') this.traces.set(row.automationId, parsed);
      } catch {
        // A damaged trace only loses history; the automation runs on.
      }
    }
  }

  add(entries: readonly TraceInput[]): void {
    for (const entry of entries) {
      let trace = this.traces.get(entry.automationId);
      if (!trace) {
        trace = { totals: {}, entries: [] };
        this.traces.set(entry.automationId, trace);
      }
      trace.entries.push({ at: formatDateTime(entry.at), kind: entry.kind, detail: readableDetail(entry.detail) });
      if (trace.entries.length > this.capacity) trace.entries.splice(0, trace.entries.length - this.capacity);
      trace.totals[entry.kind] = (trace.totals[entry.kind] ?? 0) + 1;
      this.dirty.add(entry.automationId);
    }
  }

  /** Drops an automation's trace (it was deleted). */
  forget(automationId: string): void {
    if (this.traces.delete(automationId)) this.dirty.add(automationId);
  }

  /** The trace of an automation; an automation that never had an entry gets an empty one. */
  view(automationId: string): AutomationTraceView {
    const trace = this.traces.get(automationId);
    return {
      automation_id: automationId,
      capacity: this.capacity,
      totals: { ...(trace?.totals ?? {}) },
      entries: [...(trace?.entries ?? [])],
    };
  }

  /** True when some trace changed since the last `takeDirty`. */
  hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** The traces changed since the last call, as bodies to save (null: delete). */
  takeDirty(): { automationId: string; body: string | null }[] {
    const out = [...this.dirty].map((automationId) => {
      const trace = this.traces.get(automationId);
      return { automationId, body: trace ? JSON.stringify(trace) : null };
    });
    this.dirty.clear();
    return out;
  }
}

/** Detail keys the engine fills with times in µs; people read the trace, so they become ISO times. */
const TIME_KEYS = new Set(['start', 'end', 'until', 'as_of']);

function readableDetail(detail: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(detail)) {
    if (!TIME_KEYS.has(key) || typeof value !== 'number' || !Number.isFinite(value)) continue;
    copy ??= { ...detail };
    copy[key] = formatDateTime(value);
  }
  return copy ?? detail;
}
