import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, openStorage, startHerald, type Herald } from '@herald/server';

export interface TestHerald {
  url: string;
  /** Set with `withApiKey`: the server then requires it. */
  apiKey: string | undefined;
  dataDir: string;
  herald: Herald;
  close(): Promise<void>;
}

/**
 * A real Herald server in this process: 127.0.0.1, a free port, a temporary SQLite data directory, no
 * logs. With `withApiKey`, a key is created before the first request, so the server requires it.
 */
export async function startTestHerald(options: { withApiKey?: boolean } = {}): Promise<TestHerald> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  const herald = await startHerald({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', env: {} });
  let apiKey: string | undefined;
  if (options.withApiKey) {
    const storage = await openStorage(herald.config.storage, herald.logger);
    apiKey = (await createApiKey(storage.keys, { name: 'test' })).key;
    await storage.close();
  }
  return {
    url: herald.url,
    apiKey,
    dataDir,
    herald,
    async close() {
      await herald.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The URL of a port nothing listens on: bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
