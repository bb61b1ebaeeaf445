#!/usr/bin/env node
// npm start: checks the environment, builds when there is no build of the current sources, then
// serves on $PORT (default 3000) with Kiln's HTTP server (http-server.mjs: Next.js's handler,
// with the connection's peer address passed on).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureBuild, root } from './build.mjs';

const require = createRequire(import.meta.url);
// The same .env files Next.js reads (.env, .env.production, .env.local), so the config check and
// the CLI scripts see what the server will see. Variables already set in the shell win.
require('@next/env').loadEnvConfig(root, false, { info: () => {}, error: console.error });
// NEXT_MANUAL_SIG_HANDLE: Kiln handles SIGTERM itself (finish or stop the current run, save it,
// exit 0) instead of Next.js exiting at once.
const env = { NEXT_TELEMETRY_DISABLED: '1', NEXT_MANUAL_SIG_HANDLE: '1', ...process.env };

// 1. Configuration: fail before a minute-long build, naming every bad variable.
const check = spawnSync(
  process.execPath,
  ['--conditions=react-server', '--import', require.resolve('tsx'), path.join(root, 'server/cli/check-config.ts')],
  { stdio: 'inherit', env, cwd: root },
);
if (check.status !== 0) process.exit(check.status ?? 1);

// 2. Build when the sources changed since the last build (or there is none).
if (!ensureBuild(env)) {
  console.error('The build failed; see the output above.');
  process.exit(1);
}

// 3. Serve. Signals are passed on so the server can shut down in order.
const port = process.env.PORT || '3000';
const server = spawn(process.execPath, [path.join(root, 'server/cli/http-server.mjs'), port], { stdio: 'inherit', env, cwd: root });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1)));
