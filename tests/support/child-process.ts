import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { onTestFinished } from 'vitest';

const require = createRequire(import.meta.url);

export type Child = {
  process: ChildProcess;
  /** Resolves with the first JSON line whose `event` matches. */
  waitFor: (event: string, timeoutMs?: number) => Promise<Record<string, unknown>>;
  send: (line: string) => void;
  lines: Record<string, unknown>[];
};

/** Starts a TypeScript script of the test suite as a separate Node process (killed when the test ends). */
export function spawnTsChild(script: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', require.resolve('tsx'), path.resolve(script), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: (v: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    lines.push(parsed);
    for (const w of waiters.filter((w) => w.event === parsed.event)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(parsed);
    }
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    process: child,
    lines,
    send: (line) => child.stdin!.write(`${line}\n`),
    // A child builds the whole runtime Kiln builds (job engine included): on a busy machine that takes a while.
    waitFor: (event, timeoutMs = 60_000) => {
      const seen = lines.find((l) => l.event === event);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${event}" from ${script} within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
        waiters.push({ event, resolve: (v) => (clearTimeout(timer), resolve(v)) });
      });
    },
  };
}
