import { formatShortDuration, type Automation, type Connection, type Trigger } from '@herald/core';
import type { AutomationTrace } from '@herald/sdk';

/**
 * Aligns rows under a header, two spaces between columns; the last column is not padded.
 *
 * @example
 * formatTable([['ID', 'NAME'], ['1', 'a']]) // 'ID  NAME\n1   a\n'
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd() + '\n').join('');
}

/**
 * A one-line summary of a trigger: posture, expected events, threshold and window; composites nest.
 *
 * @example
 * describeTrigger({ type: 'event', posture: 'Reactive', expect: ['a.b'], threshold: 3, within: 60, … }) // 'reactive a.b ≥3 in 1m'
 */
export function describeTrigger(trigger: Trigger): string {
  switch (trigger.type) {
    case 'event': {
      const names = trigger.expect.length === 0 ? '*' : trigger.expect.join(',');
      const window = trigger.within > 0 ? ` in ${formatShortDuration(trigger.within)}` : '';
      const per = trigger.for_each.length > 0 ? ` per ${trigger.for_each.join(',')}` : '';
      const count = trigger.posture === 'Reactive' ? `≥${trigger.threshold}` : `<${trigger.threshold}`;
      return `${trigger.posture.toLowerCase()} ${names} ${count}${window}${per}`;
    }
    case 'compound':
    case 'sequence': {
      const head = trigger.type === 'compound' ? `compound(${trigger.require})` : 'sequence';
      const window = trigger.within === null ? '' : ` in ${formatShortDuration(trigger.within)}`;
      return `${head}[${trigger.triggers.map(describeTrigger).join('; ')}]${window}`;
    }
    default: {
      const unreachable: never = trigger;
      return String(unreachable);
    }
  }
}

/** Automations as a table: id, name, enabled, trigger summary, action types, tags. */
export function formatAutomationTable(automations: readonly Automation[]): string {
  const actions = (a: Automation) => [...a.actions, ...a.actions_on_trigger, ...a.actions_on_resolve].map((x) => x.type).join(',') || '-';
  return formatTable([
    ['ID', 'NAME', 'ENABLED', 'TRIGGER', 'ACTIONS', 'TAGS'],
    ...automations.map((a) => [a.id, a.name, a.enabled ? 'yes' : 'no', describeTrigger(a.trigger), actions(a), a.tags.join(',') || '-']),
  ]);
}

/** Connections as a table; secrets appear by name only. */
export function formatConnectionTable(connections: readonly Connection[]): string {
  return formatTable([
    ['ID', 'NAME', 'KIND', 'SETTINGS', 'SECRETS'],
    ...connections.map((c) => [c.id, c.name, c.kind, JSON.stringify(c.settings), c.secrets.join(',') || '-']),
  ]);
}

function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

/**
 * A trace as lines `time  kind  key=value …`, oldest first, then the totals per kind.
 *
 * @example
 * formatTrace(trace) // '2026-11-22T10:00:00.000000Z  matched  event_id=…\n…\ntotals: matched=1\n'
 */
export function formatTrace(trace: AutomationTrace): string {
  if (trace.entries.length === 0) return 'No trace entries yet: no event has been evaluated for this automation since it was loaded.\n';
  const width = Math.max(...trace.entries.map((e) => e.kind.length));
  const lines = trace.entries.map((e) => `${e.at}  ${e.kind.padEnd(width)}  ${detailText(e.detail)}`.trimEnd() + '\n');
  const totals = Object.entries(trace.totals)
    .map(([kind, count]) => `${kind}=${count}`)
    .join(' ');
  return lines.join('') + (totals ? `totals: ${totals}\n` : '');
}
