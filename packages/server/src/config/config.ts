import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_EVENT_LIMITS, HeraldError, type EventLimits } from '@herald/core';

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
}

/** Overrides from code or CLI flags; each wins over the environment. */
export interface HeraldConfigOverrides {
  host?: string;
  port?: number;
  dataDir?: string;
  databaseUrl?: string | null;
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
    },
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
  };
  if (config.ingestion.maxRelatedResources > 1023) problems.push('HERALD_MAX_RELATED_RESOURCES must be at most 1023');
  if (problems.length > 0) {
    throw new HeraldError('CONFIG_INVALID', { message: `Invalid configuration: ${problems.join('; ')}`, details: { problems } });
  }
  return config;
}

/** Hides the password of a database URL before it is printed or logged. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** True for loopback addresses, which Herald may serve without API keys. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
