// Child processes of the benchmark: servers that print one JSON line when ready, and one-shot tools
// (load generators, baselines) that print one JSON line of results. Every child is tracked so that an
// interrupted run stops exactly the processes it started, by pid.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const live = new Set();

/** The absolute path of a script in `bench/lib/`. */
export function libScript(name) {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

function spawnNode(script, args, env, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d.toString()));
  child.stderr.on('data', (d) => (stderr += d.toString()));
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

function jsonLines(text) {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

/**
 * Starts a long-running process and resolves with `{ child, pid, info, stop, stderr }` once it prints
 * its first JSON line (`info`). `stop()` sends SIGTERM and, after `graceMs`, SIGKILL.
 */
export async function startProcess(script, args = [], { env = {}, nodeArgs = [], readyTimeoutMs = 60_000 } = {}) {
  const proc = spawnNode(script, args, env, nodeArgs);
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${readyTimeoutMs} ms: ${proc.stderr()}`)),
      readyTimeoutMs,
    );
    const check = () => {
      // Pino log lines (JSON on stdout too) may come before the tool's own line.
      const first = jsonLines(proc.stdout()).find((line) => !('level' in line));
      if (first) {
        clearTimeout(timer);
        resolve(first);
      }
    };
    proc.child.stdout.on('data', check);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready: ${proc.stderr().slice(-2000)}`));
    });
  }).catch((error) => {
    terminate(proc.child, 'SIGKILL');
    throw error;
  });
  return {
    child: proc.child,
    pid: proc.child.pid,
    info,
    stderr: proc.stderr,
    async stop(graceMs = 60_000) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
      terminate(proc.child, 'SIGTERM');
      const timer = setTimeout(() => terminate(proc.child, 'SIGKILL'), graceMs);
      const code = await proc.exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Runs a process to completion and resolves with the last JSON line it printed. Rejects when it exits
 * with an error or outlives `timeoutMs` (it is killed then).
 */
export async function runProcess(script, args = [], { env = {}, nodeArgs = [], timeoutMs = 60_000 } = {}) {
  const proc = spawnNode(script, args, env, nodeArgs);
  const timer = setTimeout(() => terminate(proc.child, 'SIGKILL'), timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  const last = jsonLines(proc.stdout()).at(-1);
  if (code !== 0 || !last) throw new Error(`${script} ${args.join(' ')} failed (${code}): ${proc.stderr().slice(-2000)}`);
  return last;
}

function terminate(child, signal) {
  try {
    process.kill(child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills every child this run started that is still alive (on interruption). */
export function killStartedProcesses() {
  for (const child of live) terminate(child, 'SIGKILL');
}

/** Peak resident set size of a live process, in bytes (`VmHWM`). */
export function peakRssBytes(pid) {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : null;
}

// USER_HZ is 100 on every Linux the project targets.
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a live process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + cpu[4];
  return { idle, total: cpu.reduce((a, b) => a + b, 0) };
}

/**
 * Watches CPU use over a load phase: `end()` returns the server's CPU use in cores and the whole
 * machine's busy share in cores (other engineers' work included: the noise indicator).
 */
export function watchCpu(pid) {
  const t0 = performance.now();
  const server0 = cpuSeconds(pid);
  const machine0 = machineTicks();
  const cores = Number(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 1);
  return {
    end() {
      const seconds = (performance.now() - t0) / 1000;
      const machine1 = machineTicks();
      const total = machine1.total - machine0.total;
      const busyShare = total > 0 ? 1 - (machine1.idle - machine0.idle) / total : 0;
      return { serverCores: (cpuSeconds(pid) - server0) / seconds, machineBusyCores: busyShare * cores };
    },
  };
}
