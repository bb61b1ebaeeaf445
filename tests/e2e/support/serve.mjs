// The e2e web server: makes sure the test database exists, builds when needed, then runs Kiln's
// HTTP server and one worker process (as `npm start` does) against the real Postgres and Redis.
// Playwright starts and stops it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import postgres from 'postgres';
import { ensureBuild, root } from '../../../server/cli/build.mjs';

const require = createRequire(import.meta.url);
const { E2E_ADMIN_DATABASE_URL, E2E_DATABASE_NAME, E2E_PORT } = process.env;
const admin = postgres(E2E_ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
const [exists] = await admin`select 1 from pg_database where datname = ${E2E_DATABASE_NAME}`;
if (!exists) await admin.unsafe(`create database ${E2E_DATABASE_NAME}`);
await admin.end();

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXT_MANUAL_SIG_HANDLE: '1' };
if (!ensureBuild(env)) process.exit(1);
const children = [
  spawn(process.execPath, [path.join(root, 'server/cli/http-server.mjs'), E2E_PORT], { stdio: 'inherit', env, cwd: root }),
  spawn(process.execPath, ['--conditions=react-server', '--import', require.resolve('tsx'), path.join(root, 'server/cli/worker.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env,
    cwd: root,
  }),
];
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => children.forEach((c) => c.kill(signal)));
let running = children.length;
for (const child of children) {
  child.on('exit', (code) => {
    if (--running === 0) process.exit(code ?? 0);
    else children.forEach((c) => c !== child && c.kill('SIGTERM'));
  });
}
