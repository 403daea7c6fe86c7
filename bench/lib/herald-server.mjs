// Starts a compiled Herald server (run `npm run build` first) in this process and prints one JSON line,
// `{"url":…,"pid":…}`. Settings come from the environment as in production: HERALD_DATA_DIR,
// HERALD_DATABASE_URL, HERALD_RETENTION, HERALD_LOG_LEVEL (the benchmark passes `warn`, as the tests do;
// at `info` Fastify logs two lines per request).
import { startHerald } from '../../packages/server/dist/index.js';

const herald = await startHerald({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url: herald.url, pid: process.pid }) + '\n');
// The interval keeps the process alive while storage closes: SqliteWriter.close() awaits the exit of an
// unref'd worker, and Node would otherwise exit with code 13 before the close resolves.
const stop = () => {
  setInterval(() => {}, 1000);
  void herald.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
