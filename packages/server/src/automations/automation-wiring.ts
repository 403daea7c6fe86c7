import type { AutomationApiDeps } from '../api/automation-api.js';
import { createConnectionService, type ConnectionService } from '../connections/connection-service.js';
import { validateTemplate } from '../domain/templates/index.js';
import { createSecretBox, loadSecretKey, type SecretBox } from '../secrets/secret-box.js';
import type { Storage } from '../storage/ports.js';
import { createAutomationService, type AutomationService } from './automation-service.js';
import type { LifecycleIngest, LifecycleLogger } from './automation-lifecycle.js';

/** The automation side of a running Herald: services for the engine and actions, deps for the API. */
export interface AutomationServices {
  automations: AutomationService;
  connections: ConnectionService;
  /** Seals connection and webhook secrets; one key per deployment (see `loadSecretKey`). */
  secretBox: SecretBox;
  /** What `createHttpApi` takes as `automationApi`. */
  api: AutomationApiDeps;
}

export interface AutomationServicesOptions {
  storage: Pick<Storage, 'automations' | 'connections'>;
  ingest: LifecycleIngest;
  logger: LifecycleLogger;
  /** µs since the epoch. */
  now: () => number;
  secrets: {
    /** `config.secrets.key`. */
    key: Buffer | null;
    /** `config.storage.dataDir`, where `secret.key` is kept when no key is configured. */
    dataDir: string;
    /** True with PostgreSQL, whose replicas must share the key. */
    shared: boolean;
  };
}

/**
 * Template problems as one line for an action's 422: `line N: message`, or the message alone for
 * loop-limit problems (line 0).
 *
 * @example
 * templateProblem('{{ x }') // "line 1: unexpected '}'"
 */
export function templateProblem(source: string): string | null {
  const result = validateTemplate(source);
  if (result.ok) return null;
  return result.line > 0 ? `line ${result.line}: ${result.message}` : result.message;
}

/**
 * Builds the automation and connection services over opened storage and the ingest pipeline: the
 * composition root calls it once, before `createHttpApi`, and hands `automations` to the trigger service.
 *
 * @example
 * const automation = createAutomationServices({ storage, ingest, logger, now,
 *   secrets: { key: config.secrets.key, dataDir: config.storage.dataDir, shared: storage.events.dialect === 'postgres' } });
 * createHttpApi({ …, automationApi: automation.api });
 */
export function createAutomationServices(options: AutomationServicesOptions): AutomationServices {
  const key = loadSecretKey({
    configured: options.secrets.key,
    dataDir: options.secrets.dataDir,
    shared: options.secrets.shared,
    warn: (message) => options.logger.warn({}, message),
  });
  const secretBox = createSecretBox(key);
  const automations = createAutomationService({
    store: options.storage.automations,
    ingest: options.ingest,
    validateTemplate: templateProblem,
    now: options.now,
    logger: options.logger,
  });
  const connections = createConnectionService({ store: options.storage.connections, box: secretBox, now: options.now });
  return { automations, connections, secretBox, api: { automations, connections, validateTemplate } };
}
