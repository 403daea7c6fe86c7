export * from './engine-types.js';
export { createTriggerEngine } from './trigger-engine.js';
