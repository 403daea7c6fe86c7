// Websocket ingest load: one connection to /api/events/in?acks=true, events pipelined with a bounded
// window of unacknowledged events. Counts events acknowledged (durably committed) per second.
// Usage: node ws-load.mjs <url> <seconds> [window]
import WebSocket from 'ws';
import { createCatalogue } from './catalogue.mjs';

const [url, seconds = '10', windowSize = '4000'] = process.argv.slice(2);
const next = createCatalogue({ seed: process.pid });
const ws = new WebSocket(url.replace(/^http/, 'ws') + '/api/events/in?acks=true', 'prefect');
let acked = 0;
let sent = 0;
let errors = 0;
let done = false;
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
ws.send(JSON.stringify({ type: 'auth', token: null }));
await new Promise((resolve) => ws.once('message', resolve));
const started = performance.now();
const deadline = started + Number(seconds) * 1000;
const pump = () => {
  while (!done && sent - acked - errors < Number(windowSize)) {
    ws.send(JSON.stringify(next()));
    sent++;
  }
};
const finished = new Promise((resolve) => {
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.type === 'ack') acked++;
    else if (m.type === 'error') errors++;
    if (!done && performance.now() >= deadline) {
      done = true;
      resolve(performance.now());
    }
    if (!done && (sent - acked) % 500 === 0) pump();
  });
});
pump();
const pumpTimer = setInterval(pump, 1);
const ended = await finished;
clearInterval(pumpTimer);
const elapsed = (ended - started) / 1000;
process.stdout.write(JSON.stringify({ sent, acked, errors, seconds: elapsed, eventsPerSecond: acked / elapsed }) + '\n');
ws.terminate();
