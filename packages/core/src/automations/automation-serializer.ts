import type { JsonValue } from '../event.js';
import type { Action, Automation, Trigger } from './automation-model.js';

type JsonObject = { [key: string]: JsonValue };

/**
 * A trigger as wire JSON, with the key order of spec Appendix B. Durations are float seconds.
 *
 * @example
 * serializeTrigger(automation.trigger) // { type: 'event', id: '…', match: {}, …, within: 0 }
 */
export function serializeTrigger(trigger: Trigger): JsonObject {
  switch (trigger.type) {
    case 'event':
      return {
        type: trigger.type,
        id: trigger.id,
        match: { ...trigger.match },
        match_related: Array.isArray(trigger.match_related) ? trigger.match_related.map((s) => ({ ...s })) : { ...trigger.match_related },
        after: [...trigger.after],
        expect: [...trigger.expect],
        for_each: [...trigger.for_each],
        posture: trigger.posture,
        threshold: trigger.threshold,
        within: trigger.within,
      };
    case 'compound':
      return { type: trigger.type, id: trigger.id, require: trigger.require, within: trigger.within, triggers: trigger.triggers.map(serializeTrigger) };
    case 'sequence':
      return { type: trigger.type, id: trigger.id, within: trigger.within, triggers: trigger.triggers.map(serializeTrigger) };
    default: {
      const unreachable: never = trigger;
      throw new Error(`Unknown trigger ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * An action as wire JSON, with the key order of spec Appendix B.
 *
 * @example
 * serializeAction({ type: 'pause-automation', source: 'inferred', automation_id: null })
 * // { type: 'pause-automation', source: 'inferred', automation_id: null }
 */
export function serializeAction(action: Action): JsonObject {
  switch (action.type) {
    case 'do-nothing':
      return { type: action.type };
    case 'call-webhook':
      return { type: action.type, block_document_id: action.block_document_id, payload: action.payload };
    case 'send-notification':
      return { type: action.type, block_document_id: action.block_document_id, subject: action.subject, body: action.body };
    case 'pause-automation':
    case 'resume-automation':
      return { type: action.type, source: action.source, automation_id: action.automation_id };
    case 'emit-event':
      return { type: action.type, event: action.event };
    default: {
      const unreachable: never = action;
      throw new Error(`Unknown action ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * An automation as `GET /api/automations/{id}` returns it (spec §1.1): the example's key order,
 * durations as float seconds, and nothing else (no `owner_resource`).
 *
 * @example
 * reply.send(serializeAutomation(automation));
 */
export function serializeAutomation(automation: Automation): JsonObject {
  return {
    id: automation.id,
    created: automation.created,
    updated: automation.updated,
    name: automation.name,
    description: automation.description,
    enabled: automation.enabled,
    tags: [...automation.tags],
    trigger: serializeTrigger(automation.trigger),
    actions: automation.actions.map(serializeAction),
    actions_on_trigger: automation.actions_on_trigger.map(serializeAction),
    actions_on_resolve: automation.actions_on_resolve.map(serializeAction),
  };
}
