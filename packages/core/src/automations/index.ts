export * from './action-parser.js';
export * from './automation-filter.js';
export * from './automation-model.js';
export * from './automation-parser.js';
export * from './automation-serializer.js';
export * from './durations.js';
export * from './loop-guard.js';
export * from './trigger-parser.js';
export { issueAt, type ValidationResult } from './validation-result.js';
