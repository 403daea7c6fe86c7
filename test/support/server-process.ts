import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Output written to stderr so far (for diagnosing a failed test). */
  stderr(): string;
  /** Resolves with the exit code or signal once the process has exited. */
  exited: Promise<number | string>;
}

const script = fileURLToPath(new URL('../../scripts/run-server.mjs', import.meta.url));

/**
 * Starts a real Herald server process from the compiled packages (run `npm run build` first), with
 * `HERALD_*` settings from `env`, and waits until it listens.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, HERALD_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Log lines (pino writes JSON to stdout too) may come first; the server's line is the one with a url.
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${err}`)));
  });
  return { url, child, stderr: () => err, exited };
}
