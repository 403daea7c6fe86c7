import { randomUUID } from 'node:crypto';
import {
  compareAutomations,
  formatDateTime,
  matchesAutomationFilter,
  parseAutomationCreate,
  parseAutomationFilterRequest,
  parseAutomationPatch,
  parseAutomationUpdate,
  parseDateTime,
  validateAutomationModel,
  type Automation,
  type AutomationInput,
  type RelatedResource,
  type ValidationIssue,
} from '@herald/core';
import type { AutomationRelation, AutomationStore } from '../storage/ports.js';
import { createLifecycleEmitter, type LifecycleIngest, type LifecycleLogger } from './automation-lifecycle.js';

/** A change the trigger engine must apply: reload (`created`, `updated`) or forget (`deleted`) one automation. */
export interface AutomationChange {
  id: string;
  kind: 'created' | 'updated' | 'deleted';
}

/**
 * Why a write was refused. `model` issues come from re-validating the stored automation merged with
 * the request (PATCH, PUT): Prefect reports them with `loc: []`; the others point into the body.
 */
export type AutomationWrite =
  | { ok: true; automation: Automation }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'invalid'; issues: ValidationIssue[]; model: boolean };

/** The result of pausing or resuming an automation from an action. */
export type AutomationToggleResult = 'ok' | 'not_found' | { invalid: string };

export interface AutomationService {
  /** `POST /api/automations/`: trigger ids are fresh; `owner_resource` becomes an owned relation. */
  create(body: unknown): Promise<AutomationWrite>;
  get(id: string): Promise<Automation | null>;
  /** Every automation, ordered by (created, id). */
  list(): Promise<Automation[]>;
  /** `PUT`: only the keys present in the body are written (Q-A1); trigger ids are regenerated. */
  replace(id: string, body: unknown): Promise<AutomationWrite>;
  /** `PATCH {"enabled": bool}`: trigger ids are kept; the merged automation is re-validated. */
  patch(id: string, body: unknown): Promise<AutomationWrite>;
  delete(id: string): Promise<boolean>;
  /** `POST /api/automations/filter`: validated request, filtered, sorted and paged in memory. */
  filter(body: unknown): Promise<{ ok: true; automations: Automation[] } | { ok: false; issues: ValidationIssue[] }>;
  count(): Promise<number>;
  relatedTo(resourceId: string): Promise<Automation[]>;
  /** Deletes the automations owned by the resource and created until now; emits no lifecycle events. */
  deleteOwnedBy(resourceId: string): Promise<string[]>;
  /**
   * Enables or disables an automation (pause/resume actions), like a PATCH. `related` resources (e.g.
   * the acting automation's lineage) are added to the `herald.automation.updated` event.
   */
  setEnabled(id: string, enabled: boolean, options?: { related?: RelatedResource[] }): Promise<AutomationToggleResult>;
  /** Called after each committed change; returns a function that removes the listener. */
  onChange(listener: (change: AutomationChange) => void): () => void;
}

export interface AutomationServiceDeps {
  store: AutomationStore;
  /** Where lifecycle events go: the normal ingest path. */
  ingest: LifecycleIngest;
  /** Checks a template without rendering it: null when valid, else the reason (H2's `validateTemplate`). */
  validateTemplate: (source: string) => string | null;
  /** µs since the epoch. */
  now: () => number;
  logger: LifecycleLogger;
  /** Ids of automations and triggers (UUIDv4 by default, as Prefect). */
  newId?: () => string;
}

const INPUT_KEYS = ['name', 'description', 'enabled', 'tags', 'trigger', 'actions', 'actions_on_trigger', 'actions_on_resolve'] as const;

function automationOf(id: string, input: AutomationInput, created: string, updated: string): Automation {
  const picked = Object.fromEntries(INPUT_KEYS.map((key) => [key, input[key]])) as unknown as AutomationInput;
  return { id, created, updated, ...picked };
}

/**
 * The automations service: validation (core's parsers), storage, relations (spec §1.3), lifecycle
 * events `herald.automation.created|updated|deleted` through ingest after each commit, and change
 * notifications for the trigger engine. Writes are serialised in this process, so that a PUT's
 * read-merge-write never loses a concurrent change.
 *
 * @example
 * const automations = createAutomationService({ store: storage.automations, ingest, validateTemplate, now, logger });
 * automations.onChange(({ id, kind }) => engine.reload(id, kind));
 * const result = await automations.create(body); // { ok: true, automation } | { ok: false, … }
 */
export function createAutomationService(deps: AutomationServiceDeps): AutomationService {
  const newId = deps.newId ?? randomUUID;
  const options = { newId, validateTemplate: deps.validateTemplate };
  const listeners = new Set<(change: AutomationChange) => void>();
  const lifecycle = createLifecycleEmitter({ ingest: deps.ingest, logger: deps.logger, now: deps.now });
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs writes one at a time. */
  function serial<T>(write: () => Promise<T>): Promise<T> {
    const run = queue.then(write, write);
    queue = run.catch(() => undefined);
    return run;
  }

  function notify(change: AutomationChange): void {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        deps.logger.warn({ err: error, automationId: change.id }, 'an automation change listener failed');
      }
    }
  }

  /** Now, or just after `previous` when the clock has not moved past it: `updated` always moves forward. */
  function stamp(previous?: string): string {
    const now = deps.now();
    const before = previous === undefined ? null : parseDateTime(previous);
    return formatDateTime(before !== null && now <= before ? before + 1 : now);
  }

  async function committed(automation: Automation, kind: AutomationChange['kind'], related: RelatedResource[] = []): Promise<void> {
    notify({ id: automation.id, kind });
    await lifecycle.emit(kind, automation, related);
  }

  /** Writes the merged automation after re-validating it; the body was already valid on its own. */
  async function writeMerged(stored: Automation, merged: AutomationInput, related: RelatedResource[] = []): Promise<AutomationWrite> {
    const check = validateAutomationModel(merged);
    if (!check.ok) return { ok: false, reason: 'invalid', issues: check.issues, model: true };
    const automation = automationOf(stored.id, merged, stored.created, stamp(stored.updated));
    if (!(await deps.store.updateAutomation(automation))) return { ok: false, reason: 'not_found' };
    await committed(automation, 'updated', related);
    return { ok: true, automation };
  }

  async function patchEnabled(id: string, enabled: boolean, related: RelatedResource[] = []): Promise<AutomationWrite> {
    const stored = await deps.store.getAutomation(id);
    if (stored === null) return { ok: false, reason: 'not_found' };
    return writeMerged(stored, { ...stored, enabled }, related);
  }

  return {
    create(body) {
      const parsed = parseAutomationCreate(body, options);
      if (!parsed.ok) return Promise.resolve({ ok: false, reason: 'invalid', issues: parsed.issues, model: false });
      return serial(async () => {
        const now = stamp();
        const automation = automationOf(newId(), parsed.value, now, now);
        const relations: AutomationRelation[] =
          parsed.value.owner_resource === null ? [] : [{ resourceId: parsed.value.owner_resource, owned: true }];
        await deps.store.insertAutomation(automation, relations);
        await committed(automation, 'created');
        return { ok: true, automation };
      });
    },

    get: (id) => deps.store.getAutomation(id),
    list: () => deps.store.listAutomations(),
    count: () => deps.store.countAutomations(),
    relatedTo: (resourceId) => deps.store.automationsRelatedTo(resourceId),

    replace(id, body) {
      const parsed = parseAutomationUpdate(body, options);
      if (!parsed.ok) return Promise.resolve({ ok: false, reason: 'invalid', issues: parsed.issues, model: false });
      return serial(async () => {
        const stored = await deps.store.getAutomation(id);
        if (stored === null) return { ok: false, reason: 'not_found' };
        const merged: AutomationInput = { ...stored };
        for (const key of parsed.value.present) Object.assign(merged, { [key]: parsed.value.value[key] });
        return writeMerged(stored, merged);
      });
    },

    patch(id, body) {
      const parsed = parseAutomationPatch(body);
      if (!parsed.ok) return Promise.resolve({ ok: false, reason: 'invalid', issues: parsed.issues, model: false });
      return serial(() => patchEnabled(id, parsed.value.enabled));
    },

    delete(id) {
      return serial(async () => {
        const stored = await deps.store.getAutomation(id);
        if (stored === null || !(await deps.store.deleteAutomation(id))) return false;
        await committed(stored, 'deleted');
        return true;
      });
    },

    async filter(body) {
      const parsed = parseAutomationFilterRequest(body);
      if (!parsed.ok) return parsed;
      const { filter, sort, offset, limit } = parsed.value;
      const all = await deps.store.listAutomations();
      const matching = all.filter((a) => matchesAutomationFilter(a, filter)).sort(compareAutomations(sort));
      return { ok: true, automations: matching.slice(offset, offset + limit) };
    },

    deleteOwnedBy(resourceId) {
      return serial(async () => {
        const ids = await deps.store.deleteAutomationsOwnedBy(resourceId, deps.now());
        for (const id of ids) notify({ id, kind: 'deleted' });
        return ids;
      });
    },

    async setEnabled(id, enabled, toggle = {}) {
      const result = await serial(() => patchEnabled(id, enabled, toggle.related));
      if (result.ok) return 'ok';
      if (result.reason === 'not_found') return 'not_found';
      return { invalid: result.issues.map((issue) => issue.message).join('; ') };
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
