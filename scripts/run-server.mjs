// Starts a compiled Herald server (run `npm run build` first) in this process on 127.0.0.1 and a free
// port, and prints one JSON line, `{"url":…,"pid":…}`. Every other setting comes from HERALD_*
// variables, as in production. Used by the tests that kill -9 a real server and by the benchmarks.
import { startHerald } from '../packages/server/dist/index.js';

const herald = await startHerald({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url: herald.url, pid: process.pid }) + '\n');
const stop = () => herald.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
