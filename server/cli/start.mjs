#!/usr/bin/env node
// npm start: checks the environment, builds when there is no build of the current sources, then
// serves on $PORT (default 3000) with Kiln's HTTP server (http-server.mjs: Next.js's handler, with
// the connection's peer address passed on) and starts KILN_WORKERS worker processes beside it (with
// a shared Postgres and Redis; on the embedded defaults the server is its own worker).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureBuild, root } from './build.mjs';

const require = createRequire(import.meta.url);
// The same .env files Next.js reads (.env, .env.production, .env.local), so the config check and
// the CLI scripts see what the server will see. Variables already set in the shell win.
require('@next/env').loadEnvConfig(root, false, { info: () => {}, error: console.error });
// NEXT_MANUAL_SIG_HANDLE: Kiln handles SIGTERM itself (stop taking work, save, close) instead of
// Next.js exiting at once.
const env = { NEXT_TELEMETRY_DISABLED: '1', NEXT_MANUAL_SIG_HANDLE: '1', ...process.env };
const tsx = ['--conditions=react-server', '--import', require.resolve('tsx')];

// 1. Configuration: fail before a minute-long build, naming every bad variable.
const check = spawnSync(process.execPath, [...tsx, path.join(root, 'server/cli/check-config.ts')], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env,
  cwd: root,
});
if (check.status !== 0) process.exit(check.status ?? 1);
const { workerProcesses } = JSON.parse(check.stdout.toString().trim().split('\n').at(-1));

// 2. Build when the sources changed since the last build (or there is none).
if (!ensureBuild(env)) {
  console.error('The build failed; see the output above.');
  process.exit(1);
}

// 3. Serve, and work: HTTP and warming keep separate event loops, so a big warmup never slows the
// API. Signals are passed on so that every process shuts down in order; when one process dies the
// others are stopped and npm start exits with its code (a supervisor restarts the whole).
const port = process.env.PORT || '3000';
const children = [spawn(process.execPath, [path.join(root, 'server/cli/http-server.mjs'), port], { stdio: 'inherit', env, cwd: root })];
for (let i = 0; i < workerProcesses; i++) {
  children.push(spawn(process.execPath, [...tsx, path.join(root, 'server/cli/worker.ts')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env, cwd: root }));
}
let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    exiting = true;
    for (const child of children) child.kill(signal);
  });
}
let running = children.length;
let exitCode = 0;
for (const child of children) {
  child.on('exit', (code, signal) => {
    running--;
    if (!exiting) {
      exiting = true;
      exitCode = code ?? 1;
      for (const other of children) if (other !== child) other.kill('SIGTERM');
    } else if (code) exitCode ||= code;
    if (running === 0) process.exit(signal === 'SIGTERM' || signal === 'SIGINT' ? exitCode : exitCode);
  });
}
