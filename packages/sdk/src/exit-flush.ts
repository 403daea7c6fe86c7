import { HeraldClientError } from './herald-api-error.js';

/** What the exit hook needs from a client. */
export interface ExitFlushable {
  readonly pending: number;
  flush(timeoutMs?: number): Promise<void>;
  abandon(error: HeraldClientError): number;
}

const registered = new Map<ExitFlushable, number>();
const flushing = new Set<ExitFlushable>();

/**
 * Flushes a client's pending events when the event loop empties (`beforeExit`), waiting at most
 * `timeoutMs`. The client's socket never holds the process open by itself, so a script that emits and
 * ends still delivers its events; whatever is left at the deadline is rejected with `CLIENT_CLOSED`.
 *
 * `beforeExit` does not fire on `process.exit()`, on an uncaught exception or on a signal: there,
 * `await client.close()` first.
 *
 * @example
 * const unregister = registerExitFlush(sender, 10_000);
 */
export function registerExitFlush(client: ExitFlushable, timeoutMs: number): () => void {
  if (registered.size === 0) process.on('beforeExit', onBeforeExit);
  registered.set(client, timeoutMs);
  return () => {
    registered.delete(client);
    if (registered.size === 0) process.off('beforeExit', onBeforeExit);
  };
}

function onBeforeExit(): void {
  // beforeExit fires again each time the loop empties; a client already flushing is left alone.
  for (const [client, timeoutMs] of registered) {
    if (client.pending === 0 || flushing.has(client)) continue;
    flushing.add(client);
    // This timer is referenced: it is what keeps the process alive while the unreferenced socket works.
    client.flush(timeoutMs).then(
      () => flushing.delete(client),
      () => {
        flushing.delete(client);
        const count = client.abandon(new HeraldClientError('CLIENT_CLOSED', `The process exited before the event was acknowledged (waited ${timeoutMs} ms)`));
        process.stderr.write(`herald: ${count} events were not acknowledged before exit\n`);
      },
    );
  }
}
