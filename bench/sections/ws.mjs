// Section `ws`: websocket ingest on one connection with acknowledgements (`/api/events/in?acks=true`),
// SQLite store. An event counts once its ack (sent after commit) has arrived.
import { meanCommitEvents, storedEventCount } from '../lib/bench-context.mjs';
import { failedFigure, figure } from '../lib/report.mjs';
import { watchCpu } from '../lib/processes.mjs';
import { usageNote } from './http-ingest.mjs';

const TARGET_EVENTS_PER_SECOND = 30_000;
const WINDOW = 4000;
const NAME = 'Websocket ingest, 1 connection, acks';

/** Runs the section; resolves with its figures. */
export async function runWsSection(ctx) {
  ctx.log('ws: Herald on SQLite, one websocket');
  try {
    const server = await ctx.startHerald({ HERALD_DATA_DIR: ctx.tempDir('ws') });
    try {
      const cpu = watchCpu(server.pid);
      const { warmup, seconds } = ctx.phase;
      const load = await ctx.runTool('ws-load.mjs', [
        '--url',
        server.info.url,
        '--seconds',
        String(seconds),
        '--warmup',
        String(warmup),
        '--window',
        String(WINDOW),
      ]);
      const usage = cpu.end();
      const stored = await storedEventCount(server.info.url);
      const commitEvents = await meanCommitEvents(server.info.url);
      const lost = load.unacked + load.errors + Math.max(0, load.acked - stored);
      return [
        figure({
          id: 'ws.ingest',
          name: NAME,
          value: load.eventsPerSecond,
          unit: 'events/s',
          target: { op: '>=', value: TARGET_EVENTS_PER_SECOND },
          note: `window ${WINDOW} unacked events; ${load.acked.toLocaleString('en-US')} acked, ${load.errors} errors, ${load.unacked} never acked, ${stored.toLocaleString('en-US')} stored; ${usageNote(usage, commitEvents)}`,
          details: { load, usage, stored, commitEvents },
        }),
        figure({
          id: 'ws.lost',
          name: 'Websocket ingest: sent but not acked or not stored',
          value: lost,
          unit: 'events',
          target: { op: '<=', value: 0 },
          details: { closeCode: load.closeCode, firstError: load.firstError },
        }),
      ];
    } finally {
      await server.stop();
    }
  } catch (error) {
    return [failedFigure('ws.ingest', NAME, 'events/s', error, { op: '>=', value: TARGET_EVENTS_PER_SECOND })];
  }
}
