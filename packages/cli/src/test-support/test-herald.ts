import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHerald, type Herald } from '@herald/server';

export interface TestHerald {
  url: string;
  dataDir: string;
  herald: Herald;
  close(): Promise<void>;
}

/** A real Herald server in this process: 127.0.0.1, a free port, a temporary SQLite data directory, no logs. */
export async function startTestHerald(): Promise<TestHerald> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  const herald = await startHerald({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', env: {} });
  return {
    url: herald.url,
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
