/**
 * Herald's server: start it, or use its parts (configuration, storage, API keys) from tools such as
 * the CLI.
 *
 * @example
 * import { startHerald } from '@herald/server';
 * const herald = await startHerald({ port: 4200 });
 */
export { HERALD_VERSION, startHerald, type Herald, type HeraldOptions } from './app.js';
export { createApiKey, listApiKeys, revokeApiKey } from './auth/api-keys.js';
export { isLoopbackHost, loadConfig, redactUrl, type HeraldConfig, type HeraldConfigOverrides } from './config/config.js';
export { openStorage } from './storage/open-storage.js';
export type { ApiKeyRecord, Storage } from './storage/ports.js';
