import type { ValidationIssue } from '../errors.js';
import { isUuid, normalizeUuid } from '../ids.js';
import type { Action, ActionType } from './automation-model.js';
import { FieldReader, issueAt, isPlainObject, TYPE_MESSAGES } from './validation-result.js';

export interface ActionParseOptions {
  /** Checks a template (syntax and loop limits, spec §5.1) without rendering it: null when valid, else the reason. */
  validateTemplate: (source: string) => string | null;
}

/** The subject a notification gets when the action names none (spec §4.2). */
export const DEFAULT_NOTIFICATION_SUBJECT = 'Prefect automated notification';

/** The action types Herald runs. */
export const ACTION_TYPES = ['do-nothing', 'call-webhook', 'send-notification', 'pause-automation', 'resume-automation', 'emit-event'] as const satisfies readonly ActionType[];

/** Prefect's actions that act on an orchestrator (deployments, flow runs, work queues and pools), or are Cloud-only. DECISIONS 17. */
export const UNSUPPORTED_ACTION_TYPES = [
  'run-deployment',
  'pause-deployment',
  'resume-deployment',
  'cancel-flow-run',
  'suspend-flow-run',
  'resume-flow-run',
  'change-flow-run-state',
  'delete-flow-run',
  'pause-work-queue',
  'resume-work-queue',
  'pause-work-pool',
  'resume-work-pool',
  'send-email-notification',
  'declare-incident',
] as const;

type Path = readonly (string | number)[];

/**
 * Parses one action (spec §4.2, DECISIONS 17–18). Unknown keys are ignored; orchestration actions are
 * refused with a message that says why; template fields are checked with `options.validateTemplate`.
 * A legacy object `payload` (call-webhook) or `event` (emit-event) becomes its JSON text with 2-space
 * indentation (spec §4.4). Issues are pushed to `issues`; the result is `undefined` when there were any.
 *
 * @example
 * parseAction({ type: 'pause-automation', source: 'inferred' }, ['actions', 0], issues, options)
 * // { type: 'pause-automation', source: 'inferred', automation_id: null }
 */
export function parseAction(input: unknown, path: Path, issues: ValidationIssue[], options: ActionParseOptions): Action | undefined {
  if (!isPlainObject(input)) {
    issues.push(issueAt(path, 'model_type', TYPE_MESSAGES.model_type));
    return undefined;
  }
  const before = issues.length;
  const r = new FieldReader(input, path, issues);
  const rawType = r.required('type');
  if (rawType === undefined) return undefined;
  if (!(ACTION_TYPES as readonly unknown[]).includes(rawType)) {
    if ((UNSUPPORTED_ACTION_TYPES as readonly unknown[]).includes(rawType)) {
      r.fail('type', 'value_error', `'${rawType as string}' actions act on a Prefect orchestrator (deployments, flow runs, work pools); Herald has no orchestrator, so it refuses them`);
    } else {
      r.fail('type', 'literal_error', `Input should be ${ACTION_TYPES.map((t) => `'${t}'`).join(', ')}`);
    }
    return undefined;
  }
  const type = rawType as ActionType;
  const template = (key: string, fallback?: string, allowObject = false): string | undefined => {
    let value: unknown = r.has(key) ? input[key] : fallback;
    if (value === undefined) return r.typeFail(key, 'missing');
    if (allowObject && isPlainObject(value)) value = JSON.stringify(value, null, 2);
    if (typeof value !== 'string') return r.typeFail(key, 'string_type');
    const problem = options.validateTemplate(value);
    return problem === null ? value : r.fail(key, 'value_error', `'${key}' is not a valid template: ${problem}`);
  };
  let action: Action | undefined;
  switch (type) {
    case 'do-nothing':
      action = { type };
      break;
    case 'call-webhook': {
      const blockDocumentId = readUuid(r, 'block_document_id');
      const payload = template('payload', '', true);
      action = { type, block_document_id: blockDocumentId!, payload: payload! };
      break;
    }
    case 'send-notification': {
      const blockDocumentId = readUuid(r, 'block_document_id');
      const subject = template('subject', DEFAULT_NOTIFICATION_SUBJECT);
      const body = template('body');
      action = { type, block_document_id: blockDocumentId!, subject: subject!, body: body! };
      break;
    }
    case 'pause-automation':
    case 'resume-automation': {
      const target = readAutomationTarget(r);
      action = target && (target.source === 'selected' ? { type, source: 'selected', automation_id: target.id } : { type, source: 'inferred', automation_id: null });
      break;
    }
    case 'emit-event': {
      const event = template('event', undefined, true);
      if (event !== undefined && !/\{[{%]/.test(event)) checkLiteralEvent(r, event);
      action = { type, event: event! };
      break;
    }
    default: {
      const unreachable: never = type;
      throw new Error(`Unknown action type ${String(unreachable)}`);
    }
  }
  return issues.length > before ? undefined : action;
}

function readUuid(r: FieldReader, key: string): string | undefined {
  const value = r.required(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isUuid(value)) return r.typeFail(key, 'uuid_parsing');
  return normalizeUuid(value);
}

/** Spec §4.2: `selected` (the default) requires `automation_id`, `inferred` forbids it. */
function readAutomationTarget(r: FieldReader): { source: 'selected'; id: string } | { source: 'inferred' } | undefined {
  const source = r.has('source') ? r.source.source : 'selected';
  if (source !== 'selected' && source !== 'inferred') return r.fail('source', 'literal_error', "Input should be 'selected' or 'inferred'");
  const raw = r.has('automation_id') ? r.source.automation_id : null;
  if (source === 'inferred') return raw === null ? { source } : r.fail(null, 'value_error', 'Value error, automation_id is not allowed');
  if (raw === null) return r.fail(null, 'value_error', 'Value error, automation_id is required');
  if (typeof raw !== 'string' || !isUuid(raw)) return r.typeFail('automation_id', 'uuid_parsing');
  return { source, id: normalizeUuid(raw) };
}

/** An `event` without template syntax is sent as is, so it must already be a JSON object. */
function checkLiteralEvent(r: FieldReader, text: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    r.fail('event', 'value_error', "'event' must be a JSON object, or a template that renders one");
    return;
  }
  if (!isPlainObject(value)) r.fail('event', 'value_error', "'event' must be a JSON object, or a template that renders one");
}
