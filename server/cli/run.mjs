#!/usr/bin/env node
// Runs one of Kiln's TypeScript command-line scripts (seed, migrate, warmup, benchmarks) with tsx.
// `--conditions=react-server` lets server modules import 'server-only' outside Next.js, as they do inside it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The same .env files Next.js reads (.env, .env.production, .env.local), so the config check and
// the CLI scripts see what the server will see. Variables already set in the shell win.
require('@next/env').loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node server/cli/run.mjs <script.ts> [args...]');
  process.exit(2);
}
const tsx = require.resolve('tsx');
const child = spawn(
  process.execPath,
  ['--conditions=react-server', '--import', tsx, script, ...args],
  { stdio: 'inherit', env: { NEXT_TELEMETRY_DISABLED: '1', ...process.env } },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
