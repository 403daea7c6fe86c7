// Section `replicas`: two Herald replicas sharing a fresh PostgreSQL database and one Redis key prefix
// (docs/scale-out.md). A paced poster sends to one replica and a subscriber listens on the other, so
// the delivery latency includes the trip over the Redis stream. The baseline, in the same run, is the
// same probe with both ends on one replica. No issue names a target: reported for comparison.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { failedFigure, figure } from '../lib/report.mjs';
import { createBenchDatabase } from '../lib/temp-postgres.mjs';
import { runLatencyProbe, undeliveredFigure } from './latency.mjs';

const REDIS_URL = process.env.HERALD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RATE = 2000;
const BATCH = 20;
const NAME = `POST on one replica → /out on another, p99 at ${RATE.toLocaleString('en-US')} events/s`;

/** Runs the section; resolves with its figures. */
export async function runReplicasSection(ctx) {
  ctx.log('replicas: two replicas on PostgreSQL and Redis');
  const database = await createBenchDatabase();
  const prefix = `herald-bench-${randomBytes(4).toString('hex')}:`;
  ctx.defer(() => database.drop());
  ctx.defer(() => dropKeys(prefix));
  try {
    const env = { HERALD_DATABASE_URL: database.url, HERALD_REDIS_URL: REDIS_URL, HERALD_REDIS_PREFIX: prefix };
    const first = await ctx.startHerald({ ...env, HERALD_DATA_DIR: ctx.tempDir('replica-a') });
    const second = await ctx.startHerald({ ...env, HERALD_DATA_DIR: ctx.tempDir('replica-b') });
    try {
      const probe = (subscribeUrl) => runLatencyProbe(ctx, { url: first.info.url, subscribeUrl, rate: RATE, batch: BATCH });
      const same = await probe(first.info.url);
      const across = await probe(second.info.url);
      const { latency } = across;
      return [
        figure({
          id: 'replicas.p99',
          name: NAME,
          value: latency.p99,
          unit: 'ms',
          baseline: { name: 'both ends on one replica', value: same.latency.p99 },
          note: `p50 ${latency.p50?.toFixed(1)} ms (one replica: ${same.latency.p50?.toFixed(1)}), p95 ${latency.p95?.toFixed(1)} ms, max ${latency.max?.toFixed(1)} ms; ${across.delivered.toLocaleString('en-US')} of ${across.sent.toLocaleString('en-US')} delivered, ${across.dropped} dropped, ${across.postErrors} POST errors`,
          details: { across, same },
        }),
        undeliveredFigure('replicas.undelivered', 'Replicas: posted on one, not delivered on the other', across),
      ];
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  } catch (error) {
    return [failedFigure('replicas.p99', NAME, 'ms', error)];
  } finally {
    await dropKeys(prefix).catch((error) => ctx.log(`removing the Redis keys ${prefix}* failed: ${error.message}`));
    await database.drop().catch((error) => ctx.log(`dropping ${database.name} failed: ${error.message}`));
  }
}

async function dropKeys(prefix) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
