// Starts a compiled Herald server in this process and prints one JSON line with its URL.
// Used by tests that need a real server they can kill -9.
import { startHerald } from '../../packages/server/dist/index.js';

const herald = await startHerald({ host: '127.0.0.1', port: 0, dataDir: process.env.HERALD_DATA_DIR, logLevel: 'warn' });
process.stdout.write(JSON.stringify({ url: herald.url, pid: process.pid }) + '\n');
const stop = () => herald.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
