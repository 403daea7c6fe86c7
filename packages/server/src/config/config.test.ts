import { availableParallelism } from 'node:os';
import { HeraldError } from '@herald/core';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, loadConfig, parseDuration, redactUrl } from './config.js';

describe('loadConfig', () => {
  it('defaults to loopback, port 4200, SQLite in ~/.herald and 7 days of retention', () => {
    const c = loadConfig({}, { HOME: '/home/ann' });
    expect([c.server.host, c.server.port, c.storage.databaseUrl, c.storage.retentionMicros]).toEqual(['127.0.0.1', 4200, null, 7 * 86_400_000_000]);
    expect(c.storage.dataDir.endsWith('.herald')).toBe(true);
    expect(c.storage.queryTimeoutMs).toBe(30_000);
    // Two template threads, or one on a one-core machine.
    expect(c.webhooks.threads).toBe(Math.min(2, availableParallelism()));
    expect(loadConfig({}, { HOME: '/home/ann', HERALD_WEBHOOK_THREADS: '0' }).webhooks.threads).toBe(0);
  });

  it('reads HERALD_* variables, and overrides win over them', () => {
    const env = {
      HERALD_PORT: '5000',
      HERALD_HOST: '0.0.0.0',
      HERALD_DATABASE_URL: 'postgres://u:p@db/herald',
      HERALD_MAX_EVENT_BYTES: '2048',
      HERALD_RETENTION: '12h',
      HERALD_QUERY_TIMEOUT: '500ms',
    };
    const c = loadConfig({ port: 6000 }, env);
    expect([c.server.port, c.server.host, c.storage.databaseUrl, c.ingestion.maxEventBytes, c.storage.retentionMicros, c.storage.queryTimeoutMs]).toEqual([
      6000, '0.0.0.0', 'postgres://u:p@db/herald', 2048, 12 * 3_600_000_000, 500,
    ]);
  });

  it('turns on the Redis bus for replicas only with PostgreSQL, and refuses a URL that is not redis://', () => {
    const postgres = { HERALD_DATABASE_URL: 'postgres://db/herald' };
    const c = loadConfig({}, { ...postgres, HERALD_REDIS_URL: 'redis://cache:6379', HERALD_TRIGGER_LEASE: '4s' });
    expect(c.replicas).toEqual({ redisUrl: 'redis://cache:6379', redisPrefix: 'herald:', triggerLeaseMs: 4000 });
    expect(loadConfig({}, postgres).replicas.redisUrl).toBeNull();
    expect(loadConfig({ redisUrl: 'rediss://tls-cache' }, postgres).replicas.redisUrl).toBe('rediss://tls-cache');
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({}, env);
        return [];
      } catch (error) {
        return ((error as HeraldError).details as { problems: string[] }).problems;
      }
    };
    expect(problems({ HERALD_REDIS_URL: 'redis://cache' })).toEqual([expect.stringContaining('HERALD_REDIS_URL needs HERALD_DATABASE_URL')]);
    expect(problems({ ...postgres, HERALD_REDIS_URL: 'http://:hunter2@cache' })).toEqual(['HERALD_REDIS_URL must be a redis:// or rediss:// URL, got "http://:***@cache"']);
  });

  it('fails fast listing every bad setting', () => {
    try {
      loadConfig({}, { HERALD_PORT: 'http', HERALD_DATABASE_URL: 'mysql://x', HERALD_RETENTION: 'forever', HERALD_QUERY_TIMEOUT: '0' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HeraldError);
      expect((error as HeraldError).code).toBe('CONFIG_INVALID');
      expect(((error as HeraldError).details as { problems: string[] }).problems).toHaveLength(4);
    }
  });
});

describe('helpers', () => {
  it('parses durations, redacts passwords and recognises loopback', () => {
    expect([parseDuration('90'), parseDuration('15m'), parseDuration('1.5h'), parseDuration('x')]).toEqual([90e6, 900e6, 5400e6, null]);
    expect(redactUrl('postgres://me:secret@db:5432/x')).toBe('postgres://me:***@db:5432/x');
    expect(redactUrl('redis://:secret@cache:6379')).toBe('redis://:***@cache:6379');
    expect([isLoopbackHost('127.0.0.1'), isLoopbackHost('::1'), isLoopbackHost('localhost'), isLoopbackHost('0.0.0.0')]).toEqual([true, true, true, false]);
  });
});
