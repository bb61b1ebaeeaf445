// One Kiln server (the built app under server/cli/http-server.mjs, as `npm start` runs it) for the
// simulator: its own port, database and Redis prefix,
// its log in a file, stopped with SIGTERM (Kiln then writes its last read counts) and killed if it hangs.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { root } from '../../../server/cli/build.mjs';

export type KilnServer = {
  port: number;
  baseUrl: string;
  logFile: string;
  /** CPU seconds (user + system) the server process has used so far (Linux /proc; null elsewhere). */
  cpuSeconds: () => number | null;
  stop: (options?: { keepLog?: boolean }) => Promise<void>;
};

/** User + system CPU seconds of a process, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startKiln(env: Record<string, string>, label: string): Promise<KilnServer> {
  const port = await freePort();
  const logFile = path.join(os.tmpdir(), `kiln-effect-${process.pid}-${label}.log`);
  const log = fs.openSync(logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'server/cli/http-server.mjs'), String(port), '127.0.0.1'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), NEXT_TELEMETRY_DISABLED: '1', NEXT_MANUAL_SIG_HANDLE: '1' },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopped = false;
  /** Stops the server; its log is removed unless asked to keep it (after a failure, to read it). */
  const stop = async (options: { keepLog?: boolean } = {}) => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    fs.closeSync(log);
    if (!options.keepLog) fs.rmSync(logFile, { force: true });
  };
  const server = { port, baseUrl: `http://127.0.0.1:${port}`, logFile, cpuSeconds: () => cpuSecondsOf(child.pid), stop };
  try {
    await waitUntilReady(server.baseUrl, exited, logFile);
  } catch (error) {
    await stop({ keepLog: true });
    throw error;
  }
  return server;
}

/** Polls /api/ready until 200: migrations applied and, when it is on, the start-up warmup done. */
async function waitUntilReady(baseUrl: string, exited: Promise<number | null>, logFile: string): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`The server exited with code ${gone} before it was ready; see ${logFile}`);
    try {
      const response = await fetch(`${baseUrl}/api/ready`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The server was not ready within 10 minutes; see ${logFile}`);
}

/**
 * The shop's credential for its read API: signs in as the admin and creates a `shop_reader` API
 * token (the least a shop backend needs: /api/shop/* and nothing else). Returns its secret.
 */
export async function shopReaderToken(baseUrl: string, email: string, password: string): Promise<string> {
  const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (login.status !== 200) throw new Error(`Signing in as ${email} failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const created = await fetch(`${baseUrl}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl, cookie },
    body: JSON.stringify({ name: `bench:effect ${Date.now()}`, role: 'shop_reader' }),
  });
  if (created.status !== 201) throw new Error(`Creating the shop_reader token failed: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { secret: string }).secret;
}
