// A fresh PostgreSQL database per benchmark run on the local server (trust auth), dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The administrative connection; override with HERALD_BENCH_POSTGRES_URL. */
export const ADMIN_URL = process.env.HERALD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL} (start it with \`bash scripts/ensure-services.sh\`): ${error.message}`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates `herald_bench_<random>` and resolves with `{ url, name, drop() }`. */
export async function createBenchDatabase() {
  const name = `herald_bench_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
