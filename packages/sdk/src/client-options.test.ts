import { describe, expect, it } from 'vitest';
import { normalizeBaseUrl, resolveClientOptions, websocketUrl } from './client-options.js';

describe('client options', () => {
  it('accepts the server URL with or without /api and trailing slashes', () => {
    expect(['http://h:4200', 'http://h:4200/', 'http://h:4200/api', 'http://h:4200/api/', 'https://x.io/herald/api'].map(normalizeBaseUrl)).toEqual([
      'http://h:4200',
      'http://h:4200',
      'http://h:4200',
      'http://h:4200',
      'https://x.io/herald',
    ]);
    expect(() => normalizeBaseUrl('ftp://h')).toThrow(TypeError);
  });

  it('derives websocket URLs from the scheme', () => {
    expect([websocketUrl('http://h:1', '/api/events/in'), websocketUrl('https://h', '/api/events/out')]).toEqual(['ws://h:1/api/events/in', 'wss://h/api/events/out']);
  });

  it('reads HERALD_URL and HERALD_API_KEY, and explicit options win', () => {
    const env = { HERALD_URL: 'http://env:1/api', HERALD_API_KEY: 'hk_env' };
    const fromEnv = resolveClientOptions({}, env);
    expect([fromEnv.url, fromEnv.apiKey, fromEnv.maxQueue, fromEnv.maxConnectAttempts]).toEqual(['http://env:1', 'hk_env', 10_000, Infinity]);
    const explicit = resolveClientOptions({ url: 'http://code:2', apiKey: 'hk_code' }, env);
    expect([explicit.url, explicit.apiKey]).toEqual(['http://code:2', 'hk_code']);
    const none = resolveClientOptions({}, { HERALD_API_KEY: '' });
    expect([none.url, none.apiKey]).toEqual(['http://127.0.0.1:4200', undefined]);
  });
});
