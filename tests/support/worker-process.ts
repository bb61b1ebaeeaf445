import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');

export type WorkerProcess = {
  process: ChildProcess;
  pid: number;
  /** Everything it printed. */
  output: () => string;
  /** Resolves with its exit code (or signal) once it has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * A real worker process, as `npm run worker` starts it (server/cli/worker.ts), on the given
 * database and cache. `onCleanup` receives a function that kills it (tests pass onTestFinished).
 */
// KILN_WORKER_NODE_ARGS: extra node flags for every worker a test or benchmark starts, e.g.
// `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the workers of `npm run bench:warm`.
export function startWorkerProcess(env: Record<string, string>, onCleanup?: (fn: () => Promise<void>) => void): WorkerProcess {
  const child = spawn(process.execPath, [...(process.env.KILN_WORKER_NODE_ARGS ? process.env.KILN_WORKER_NODE_ARGS.split(' ') : []), '--conditions=react-server', '--import', require.resolve('tsx'), path.join(root, 'server/cli/worker.ts')], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', LOG_LEVEL: 'info', KILN_JOB_MAINTENANCE_SECONDS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  onCleanup?.(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { process: child, pid: child.pid!, output: () => output, exited };
}

/** Resolves once `check` is true (polled), or throws saying what did not happen in time. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}
