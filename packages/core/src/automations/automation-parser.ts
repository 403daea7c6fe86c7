import type { ValidationIssue } from '../errors.js';
import { parseAction, type ActionParseOptions } from './action-parser.js';
import type { Action, AutomationInput } from './automation-model.js';
import { checkLoopGuard } from './loop-guard.js';
import { parseTrigger, type TriggerParseOptions } from './trigger-parser.js';
import { FieldReader, issueAt, isPlainObject, TYPE_MESSAGES, type ValidationResult } from './validation-result.js';

export type AutomationParseOptions = TriggerParseOptions & ActionParseOptions;

/** A parsed `POST /api/automations/` body. */
export interface AutomationCreate extends AutomationInput {
  /** A resource id that owns the automation (spec §1.3), or null. */
  owner_resource: string | null;
}

/** The top-level keys of an automation body. */
export type AutomationKey = keyof AutomationInput;

/** A parsed PUT body, and which top-level keys it carried: per spec Q-A1 only those are written. */
export interface AutomationUpdate {
  value: AutomationInput;
  present: AutomationKey[];
}

const INPUT_KEYS: readonly AutomationKey[] = ['name', 'description', 'enabled', 'tags', 'trigger', 'actions', 'actions_on_trigger', 'actions_on_resolve'];

function parseBody(body: unknown, options: AutomationParseOptions, allowed: readonly string[]): ValidationResult<AutomationInput & { owner_resource?: string | null }> {
  if (!isPlainObject(body)) return { ok: false, issues: [issueAt([], 'model_type', TYPE_MESSAGES.model_type)] };
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) issues.push(issueAt([key], 'extra_forbidden', TYPE_MESSAGES.extra_forbidden));
  }
  const r = new FieldReader(body, [], issues);
  const name = r.string('name');
  const description = r.string('description', '');
  const enabled = r.boolean('enabled', true);
  const tags = r.strings('tags');
  const trigger = r.has('trigger') ? parseTrigger(body.trigger, ['trigger'], issues, options) : r.typeFail('trigger', 'missing');
  const actionList = (key: AutomationKey, required: boolean): Action[] | undefined => {
    if (!r.has(key)) return required ? r.typeFail(key, 'missing') : [];
    const raw = body[key];
    if (!Array.isArray(raw)) return r.typeFail(key, 'list_type');
    const parsed = raw.map((item, index) => parseAction(item, [key, index], issues, options));
    return parsed.every((a): a is Action => a !== undefined) ? parsed : undefined;
  };
  const actions = actionList('actions', true);
  const actionsOnTrigger = actionList('actions_on_trigger', false);
  const actionsOnResolve = actionList('actions_on_resolve', false);
  let ownerResource: string | null | undefined = null;
  if (allowed.includes('owner_resource') && r.has('owner_resource') && body.owner_resource !== null) {
    ownerResource = typeof body.owner_resource === 'string' ? body.owner_resource : r.typeFail('owner_resource', 'string_type');
  }
  if (issues.length > 0) return { ok: false, issues };
  const value: AutomationInput = {
    name: name!,
    description: description!,
    enabled: enabled!,
    tags: tags!,
    trigger: trigger!,
    actions: actions!,
    actions_on_trigger: actionsOnTrigger!,
    actions_on_resolve: actionsOnResolve!,
  };
  const model = validateAutomationModel(value);
  if (!model.ok) return model;
  return { ok: true, value: allowed.includes('owner_resource') ? { ...value, owner_resource: ownerResource! } : value };
}

/**
 * Parses and validates a `POST /api/automations/` body (spec §1.1–1.2, §2, §4.2): unknown top-level
 * keys are `extra_forbidden`, defaults are filled in, trigger ids are fresh, and the model-level checks
 * of {@link validateAutomationModel} run last.
 *
 * @example
 * const result = parseAutomationCreate(request.body, { newId: newEventId, validateTemplate });
 * if (!result.ok) throw new HeraldError('AUTOMATION_INVALID', { details: { issues: result.issues } });
 */
export function parseAutomationCreate(body: unknown, options: AutomationParseOptions): ValidationResult<AutomationCreate> {
  const result = parseBody(body, options, [...INPUT_KEYS, 'owner_resource']);
  return result.ok ? { ok: true, value: { ...result.value, owner_resource: result.value.owner_resource ?? null } } : result;
}

/**
 * Parses a `PUT /api/automations/{id}` body: as create, without `owner_resource`. The value has the
 * defaults filled in (the validator sees them, spec Q-A1); `present` lists the top-level keys the body
 * carried, so that the store can write only those.
 *
 * @example
 * const result = parseAutomationUpdate(request.body, options);
 * if (result.ok) store.update(id, pick(result.value.value, result.value.present));
 */
export function parseAutomationUpdate(body: unknown, options: AutomationParseOptions): ValidationResult<AutomationUpdate> {
  const result = parseBody(body, options, INPUT_KEYS);
  if (!result.ok) return result;
  const present = INPUT_KEYS.filter((key) => Object.hasOwn(body as object, key));
  const { owner_resource: _ignored, ...value } = result.value;
  return { ok: true, value: { value, present } };
}

/**
 * Parses a `PATCH /api/automations/{id}` body: exactly `{"enabled": bool}`. The caller merges it into the
 * stored automation and re-runs {@link validateAutomationModel}.
 *
 * @example
 * parseAutomationPatch({ enabled: false }) // { ok: true, value: { enabled: false } }
 */
export function parseAutomationPatch(body: unknown): ValidationResult<{ enabled: boolean }> {
  if (!isPlainObject(body)) return { ok: false, issues: [issueAt([], 'model_type', TYPE_MESSAGES.model_type)] };
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body)) {
    if (key !== 'enabled') issues.push(issueAt([key], 'extra_forbidden', TYPE_MESSAGES.extra_forbidden));
  }
  const r = new FieldReader(body, [], issues);
  const enabled = r.has('enabled') ? r.boolean('enabled', true) : r.typeFail('enabled', 'missing');
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { enabled: enabled! } };
}

/**
 * The model-level checks (path `[]`), run after parsing and again on a PATCH merge or when loading
 * from storage: today Herald's loop guard ({@link checkLoopGuard}).
 *
 * @example
 * const merged = { ...stored, enabled: true };
 * const check = validateAutomationModel(merged);
 * if (!check.ok) throw new HeraldError('AUTOMATION_INVALID', { details: { issues: check.issues } });
 */
export function validateAutomationModel<T extends AutomationInput>(input: T): ValidationResult<T> {
  const issues = checkLoopGuard(input);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: input };
}
