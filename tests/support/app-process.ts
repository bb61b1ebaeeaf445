import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './own-servers';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'replica-test-password';

export type AppProcess = {
  url: string;
  process: ChildProcess;
  /** Everything the server printed. */
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code once the process has ended. */
  terminate: () => Promise<{ code: number | null; seconds: number }>;
};

/**
 * A Kiln server as production runs it: the built app under Kiln's HTTP server (as `npm start` runs
 * it; `npm run build` or the faults setup must have built it), with the signal handling `npm start`
 * sets up. It runs workers
 * itself unless `KILN_WORKER_IN_SERVER: 'false'` is passed. `onCleanup`
 * receives a function that kills it (tests pass onTestFinished).
 */
export async function startApp(env: Record<string, string>, onCleanup?: (fn: () => Promise<void>) => void): Promise<AppProcess> {
  const port = await freePort();
  const root = path.resolve(import.meta.dirname, '..', '..');
  const child = spawn(process.execPath, [path.join(root, 'server/cli/http-server.mjs'), String(port)], {
    cwd: root,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_MANUAL_SIG_HANDLE: '1',
      KILN_ADMIN_EMAIL: ADMIN_EMAIL,
      KILN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      WARMUP_ON_STARTUP: 'false',
      // Scenarios count runs: a schedule firing at :00 or :30 in the middle of one would be noise.
      SCHEDULER_ENABLED: 'false',
      // Each server is a worker too unless the scenario says otherwise and starts worker processes
      // of its own (tests/support/worker-process.ts); dead workers' shards are noticed within a second.
      KILN_WORKER_IN_SERVER: 'true',
      KILN_JOB_MAINTENANCE_SECONDS: '1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    const ok = await fetch(`${url}/api/ready`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the server on ${port} not ready after 60 s:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const terminate = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, seconds: 0 };
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    return { code, seconds: (Date.now() - started) / 1000 };
  };
  // Tests pass onTestFinished (or an afterAll list); scripts kill it themselves.
  onCleanup?.(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { url, process: child, output: () => output, terminate };
}

/** Signs in as the first admin and creates an API token of the given role: its secret. */
export async function apiToken(app: AppProcess, role: 'shop_reader' | 'viewer' | 'operator' | 'admin' = 'operator'): Promise<string> {
  const login = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const created = await fetch(`${app.url}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url, cookie },
    body: JSON.stringify({ name: `test-${role}-${Math.random().toString(36).slice(2, 7)}`, role }),
  });
  if (created.status !== 201) throw new Error(`token creation failed: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { secret: string }).secret;
}

/** A JSON request with a bearer token. */
export async function api(app: AppProcess, token: string, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (Prometheus text, say)
  }
  return { status: response.status, body: parsed };
}
