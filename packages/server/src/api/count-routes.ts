import { formatDateTime, HeraldError, parseEventFilter, type NormalizedEventFilter } from '@herald/core';
import type { FastifyInstance } from 'fastify';
import {
  assertBucketCount,
  bucketDelta,
  fillTimeBuckets,
  MIN_TIME_INTERVAL,
  planTimeGrid,
  TIME_UNITS,
  type EventCountRow,
  type TimeUnit,
} from '../domain/count-buckets.js';
import type { GroupCount } from '../storage/ports.js';
import type { RequestIssue } from './error-response.js';
import type { HttpApiDeps } from './http-api.js';
import { errorResponses, eventCountSchema, eventFilterSchema } from './openapi-schemas.js';
import { readBodyObject, readEnum, readNumber, requestIssue } from './request-fields.js';

const COUNTABLES = ['day', 'time', 'event', 'resource'] as const;
type Countable = (typeof COUNTABLES)[number];

interface CountRequest {
  countable: Countable;
  filter: NormalizedEventFilter;
  unit: TimeUnit;
  interval: number;
}

function groupRows(groups: GroupCount[]): EventCountRow[] {
  return groups.map((g) => ({
    value: g.value,
    label: g.label,
    count: g.count,
    start_time: formatDateTime(g.first),
    end_time: formatDateTime(g.last),
  }));
}

/**
 * `POST /api/events/count-by/{countable}` (spec §2.4). `day` is `time` with unit day and interval 1;
 * the 1000-bucket check runs for every countable, as in Prefect.
 *
 * @example
 * registerCountRoutes(app, deps);
 */
export function registerCountRoutes(app: FastifyInstance, deps: HttpApiDeps): void {
  const { events } = deps;

  function parseCountRequest(params: unknown, rawBody: unknown, now: number): CountRequest {
    const issues: RequestIssue[] = [];
    const countable = readEnum((params as { countable?: unknown }).countable, COUNTABLES, { part: 'path', path: ['countable'] }, issues);
    const body = readBodyObject(rawBody, issues);
    const unit = body.time_unit === undefined ? 'day' : readEnum(body.time_unit, TIME_UNITS, { part: 'body', path: ['time_unit'] }, issues);
    const interval = readNumber(body, 'time_interval', { min: MIN_TIME_INTERVAL, fallback: 1 }, issues);
    let filter: NormalizedEventFilter | undefined;
    if (body.filter === undefined) {
      issues.push(requestIssue('body', ['filter'], 'missing', 'Field required'));
    } else if (body.filter === null) {
      issues.push(requestIssue('body', ['filter'], 'model_type', 'Input should be a valid dictionary or instance of EventFilter'));
    } else {
      const parsed = parseEventFilter(body.filter, { now, missingUntil: 'now', basePath: ['filter'] });
      if (parsed.ok) filter = parsed.filter;
      else issues.push(...parsed.issues);
    }
    if (issues.length > 0 || !countable || !unit || !filter) throw new HeraldError('QUERY_INVALID', { details: { issues } });
    return countable === 'day' ? { countable, filter, unit: 'day', interval: 1 } : { countable, filter, unit, interval };
  }

  app.post(
    '/api/events/count-by/:countable',
    {
      config: { prefectShapes: true },
      schema: {
        operationId: 'count_account_events_events_count_by__countable__post',
        summary: 'Count matching events by time bucket, event name or resource',
        tags: ['events'],
        params: { type: 'object', properties: { countable: { type: 'string', enum: [...COUNTABLES] } } },
        body: {
          type: 'object',
          required: ['filter'],
          properties: {
            filter: eventFilterSchema,
            time_unit: { type: 'string', enum: [...TIME_UNITS], default: 'day' },
            time_interval: { type: 'number', minimum: MIN_TIME_INTERVAL, default: 1 },
          },
        },
        response: { 200: { type: 'array', items: eventCountSchema }, ...errorResponses(401, 422) },
      },
    },
    async (request) => {
      const now = deps.now();
      const { countable, filter, unit, interval } = parseCountRequest(request.params, request.body, now);
      // The query window always has an end here: a missing `until` is now.
      const until = filter.until ?? now;
      switch (countable) {
        case 'day':
        case 'time': {
          const plan = planTimeGrid({ since: filter.since, until, now, unit, interval });
          const counts = plan.size > 0 ? await events.countByTime(filter, { pivot: plan.pivot, delta: plan.delta }) : [];
          return fillTimeBuckets(plan, counts);
        }
        case 'event':
          assertBucketCount(filter.since, until, bucketDelta(unit, interval));
          return groupRows(await events.countByEvent(filter));
        case 'resource':
          assertBucketCount(filter.since, until, bucketDelta(unit, interval));
          return groupRows(await events.countByResource(filter));
        default: {
          const unreachable: never = countable;
          throw new Error(`unknown countable ${String(unreachable)}`);
        }
      }
    },
  );
}
