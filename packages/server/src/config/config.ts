import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_EVENT_LIMITS, HeraldError, type EventLimits } from '@herald/core';
import { parseSecretKey } from '../secrets/secret-box.js';

/** Herald's whole configuration, parsed once at start-up. Only this module reads `process.env`. */
export interface HeraldConfig {
  server: {
    host: string;
    port: number;
    logLevel: string;
    /** Largest accepted HTTP request body. A batch of events may be this large. */
    maxBodyBytes: number;
    /** Largest page of `POST /api/events/filter` (Prefect allows 50; Herald 200). */
    maxPageSize: number;
  };
  storage: {
    dataDir: string;
    /** A `postgres://` URL selects PostgreSQL; null keeps the embedded SQLite in `dataDir`. */
    databaseUrl: string | null;
    /** Events older than this are removed. */
    retentionMicros: number;
    /** How often retention runs. */
    retentionIntervalMs: number;
    /** SQLite: threads for the reads that take a filter, so that a long one never stalls the server; 0 reads on the main thread. */
    readThreads: number;
    /** `HERALD_QUERY_TIMEOUT`: a read that takes a filter and runs longer fails with `QUERY_TIMEOUT` (422). Default 30 s. */
    queryTimeoutMs: number;
  };
  /** Scale-out (`docs/scale-out.md`): replicas sharing PostgreSQL exchange events on Redis Streams. */
  replicas: {
    /** `HERALD_REDIS_URL`: a `redis://` URL turns on the Redis bus; null keeps the in-process bus. */
    redisUrl: string | null;
    /** `HERALD_REDIS_PREFIX`: prefix of every Redis key Herald uses, so that deployments can share a Redis. Default `herald:`. */
    redisPrefix: string;
    /** `HERALD_TRIGGER_LEASE`: how long the replica that evaluates automations holds its lease without renewing it. Default 10 s. */
    triggerLeaseMs: number;
  };
  secrets: {
    /** `HERALD_SECRET_KEY` (base64 of 32 bytes), sealing connection and webhook secrets; null uses `<dataDir>/secret.key`. */
    key: Buffer | null;
  };
  ingestion: EventLimits & {
    /** Most events written in one storage transaction. */
    commitMaxEvents: number;
  };
  stream: {
    maxBackfillMicros: number;
    backfillPageSize: number;
    subscriberBacklog: number;
    maxMessageBytes: number;
  };
  webhooks: {
    /** Largest body `/hooks/{slug}` accepts; larger ones get 413. */
    maxBodyBytes: number;
    /** Requests kept per webhook for inspection and replay (the last N). */
    captureSize: number;
    /** Bytes of each captured body that are kept; a longer body is kept truncated and cannot be replayed. */
    captureMaxBodyBytes: number;
    /** Requests per second per webhook when the webhook sets none; 0 means no limit. */
    defaultRateLimit: number;
    /** Worker threads that render templates; 0 renders on the HTTP thread. */
    threads: number;
  };
  triggers: {
    /** `HERALD_CAUSAL_WAIT`: longest wait for a missing `follows` leader (DECISIONS 16). Default 30 s. */
    causalWaitMicros: number;
    /** `HERALD_EVENT_TIME_TOLERANCE`: clock skew and lateness absorbed before event time is distrusted (DECISIONS 12). Default 60 s. */
    toleranceMicros: number;
    /** Per-action attempt budget and backoff: `HERALD_ACTION_MAX_ATTEMPTS` (5), `HERALD_ACTION_RETRY_BASE` (1s), `HERALD_ACTION_RETRY_MAX` (60s). */
    retry: { maxAttempts: number; baseMs: number; maxMs: number };
    /** `HERALD_ACTION_CONCURRENCY`: jobs (state events, actions) running at once. Default 128. */
    actionConcurrency: number;
    /** `HERALD_UI_URL`: base URL of the web UI, for links in templates; null when unset. */
    uiUrl: string | null;
    /** `HERALD_ALLOW_PRIVATE_NETWORKS`: actions may call private (RFC 1918, loopback) addresses. Default false. */
    allowPrivateNetworks: boolean;
  };
}

/** Overrides from code or CLI flags; each wins over the environment. */
export interface HeraldConfigOverrides {
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string | null;
  redisUrl?: string | null;
  logLevel?: string;
  retention?: string;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/;
const UNIT_MICROS: Record<string, number> = { ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86400e6, w: 604800e6 };

/** Parses `90s`, `15m`, `12h`, `7d`, `2w` (a bare number is seconds) into microseconds. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MICROS[m[2] ?? 's']!);
}

/**
 * Builds the configuration from overrides, then `HERALD_*` environment variables, then defaults.
 * Throws `CONFIG_INVALID` listing every bad setting.
 *
 * @example
 * const config = loadConfig({ port: 0, dataDir: '/tmp/herald' });
 */
export function loadConfig(overrides: HeraldConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      problems.push(`${name} must be an integer ≥ ${min}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const duration = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined || value === '') return fallback;
    const us = parseDuration(value);
    if (us === null || us <= 0) {
      problems.push(`${name} must be a duration such as 90s, 15m, 12h or 7d, got "${value}"`);
      return fallback;
    }
    return us;
  };

  const port = overrides.port ?? int('HERALD_PORT', 4200, 0);
  if (port > 65535) problems.push(`the port must be at most 65535, got ${port}`);
  const databaseUrl = overrides.databaseUrl !== undefined ? overrides.databaseUrl : env.HERALD_DATABASE_URL || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`HERALD_DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite), got "${redactUrl(databaseUrl)}"`);
  }

  const redisUrl = overrides.redisUrl !== undefined ? overrides.redisUrl : env.HERALD_REDIS_URL || null;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) problems.push(`HERALD_REDIS_URL must be a redis:// or rediss:// URL, got "${redactUrl(redisUrl)}"`);
  if (redisUrl !== null && databaseUrl === null) {
    problems.push('HERALD_REDIS_URL needs HERALD_DATABASE_URL: replicas share one PostgreSQL database, and the embedded SQLite serves one process');
  }

  const config: HeraldConfig = {
    server: {
      host: overrides.host ?? env.HERALD_HOST ?? '127.0.0.1',
      port,
      logLevel: overrides.logLevel ?? env.HERALD_LOG_LEVEL ?? 'info',
      maxBodyBytes: int('HERALD_MAX_BODY_BYTES', 64 * 1024 * 1024, 1024),
      maxPageSize: 200,
    },
    storage: {
      dataDir: resolve(overrides.dataDir ?? env.HERALD_DATA_DIR ?? join(homedir(), '.herald')),
      databaseUrl,
      retentionMicros: duration('HERALD_RETENTION', overrides.retention ?? env.HERALD_RETENTION, 7 * UNIT_MICROS.d!),
      retentionIntervalMs: duration('HERALD_RETENTION_INTERVAL', env.HERALD_RETENTION_INTERVAL, 3600e6) / 1000,
      readThreads: int('HERALD_READ_THREADS', 1, 0),
      queryTimeoutMs: duration('HERALD_QUERY_TIMEOUT', env.HERALD_QUERY_TIMEOUT, 30 * UNIT_MICROS.s!) / 1000,
    },
    replicas: {
      redisUrl,
      redisPrefix: env.HERALD_REDIS_PREFIX || 'herald:',
      triggerLeaseMs: duration('HERALD_TRIGGER_LEASE', env.HERALD_TRIGGER_LEASE, 10 * UNIT_MICROS.s!) / 1000,
    },
    secrets: { key: secretKey(env.HERALD_SECRET_KEY, problems) },
    ingestion: {
      maxLabelsPerResource: int('HERALD_MAX_LABELS_PER_RESOURCE', DEFAULT_EVENT_LIMITS.maxLabelsPerResource, 2),
      maxRelatedResources: int('HERALD_MAX_RELATED_RESOURCES', DEFAULT_EVENT_LIMITS.maxRelatedResources, 0),
      maxEventBytes: int('HERALD_MAX_EVENT_BYTES', DEFAULT_EVENT_LIMITS.maxEventBytes, 256),
      maxEventNameLength: int('HERALD_MAX_EVENT_NAME_LENGTH', DEFAULT_EVENT_LIMITS.maxEventNameLength, 1),
      maxPayloadDepth: DEFAULT_EVENT_LIMITS.maxPayloadDepth,
      commitMaxEvents: int('HERALD_COMMIT_MAX_EVENTS', 5000, 1),
    },
    stream: {
      maxBackfillMicros: duration('HERALD_MAX_BACKFILL', env.HERALD_MAX_BACKFILL, 15 * UNIT_MICROS.m!),
      backfillPageSize: 250,
      subscriberBacklog: int('HERALD_SUBSCRIBER_BACKLOG', 256, 1),
      maxMessageBytes: 16 * 1024 * 1024,
    },
    webhooks: {
      maxBodyBytes: int('HERALD_WEBHOOK_MAX_BODY_BYTES', 1024 * 1024, 1),
      captureSize: int('HERALD_WEBHOOK_CAPTURE_SIZE', 50, 0),
      captureMaxBodyBytes: int('HERALD_WEBHOOK_CAPTURE_MAX_BODY_BYTES', 64 * 1024, 0),
      defaultRateLimit: int('HERALD_WEBHOOK_RATE_LIMIT', 100, 0),
      // Two threads render about 10 % more requests per second than one, even on two cores (docs/benchmarks.md).
      threads: int('HERALD_WEBHOOK_THREADS', Math.min(2, availableParallelism()), 0),
    },
    triggers: {
      causalWaitMicros: duration('HERALD_CAUSAL_WAIT', env.HERALD_CAUSAL_WAIT, 30 * UNIT_MICROS.s!),
      toleranceMicros: duration('HERALD_EVENT_TIME_TOLERANCE', env.HERALD_EVENT_TIME_TOLERANCE, 60 * UNIT_MICROS.s!),
      retry: {
        maxAttempts: int('HERALD_ACTION_MAX_ATTEMPTS', 5, 1),
        baseMs: duration('HERALD_ACTION_RETRY_BASE', env.HERALD_ACTION_RETRY_BASE, UNIT_MICROS.s!) / 1000,
        maxMs: duration('HERALD_ACTION_RETRY_MAX', env.HERALD_ACTION_RETRY_MAX, 60 * UNIT_MICROS.s!) / 1000,
      },
      actionConcurrency: int('HERALD_ACTION_CONCURRENCY', 128, 1),
      uiUrl: env.HERALD_UI_URL ? env.HERALD_UI_URL.replace(/\/+$/, '') : null,
      allowPrivateNetworks: /^(1|true|yes|on)$/i.test(env.HERALD_ALLOW_PRIVATE_NETWORKS ?? ''),
    },
  };
  if (config.ingestion.maxRelatedResources > 1023) problems.push('HERALD_MAX_RELATED_RESOURCES must be at most 1023');
  if (problems.length > 0) {
    throw new HeraldError('CONFIG_INVALID', { message: `Invalid configuration: ${problems.join('; ')}`, details: { problems } });
  }
  return config;
}

/** `HERALD_SECRET_KEY`, parsed; the problem never quotes the value. */
function secretKey(raw: string | undefined, problems: string[]): Buffer | null {
  if (raw === undefined || raw === '') return null;
  const key = parseSecretKey(raw);
  if (key === null) problems.push('HERALD_SECRET_KEY must be the base64 of 32 bytes (e.g. `openssl rand -base64 32`)');
  return key;
}

/** Hides the password of a database URL before it is printed or logged. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** True for loopback addresses, which Herald may serve without API keys. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
