export * from './action-events.js';
export * from './action-executor.js';
export type {
  ActionContext,
  ActionExecutor,
  ActionExecutorDeps,
  ActionJob,
  ActionOutcome,
  ActionTemplates,
  AutomationControl,
} from './action-job.js';
export * from './address-policy.js';
export * from './derived-event-id.js';
export * from './lineage.js';
export * from './retry-policy.js';
export * from './safe-http.js';
export * from './standard-webhooks.js';
