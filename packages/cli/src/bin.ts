#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { main } from './main.js';

// The process lives exactly as long as the command. The SDK's sockets are deliberately unreferenced
// (an emitting library must not keep its host alive), so without this timer the loop could empty while
// a command still awaits them, and Node would exit early with code 13.
const keepAlive = setInterval(() => undefined, 2 ** 30);
try {
  process.exitCode = await main(process.argv.slice(2), processIo());
} finally {
  clearInterval(keepAlive);
}
