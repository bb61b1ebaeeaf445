import 'server-only';
import { ConfigError, getConfig } from '../config';
import { processLogger } from '../logger';
import { buildRuntime } from '../runtime';

// npm run worker: a worker process. It takes the shards of any run from the job queue (pg-boss on
// Kiln's Postgres) and warms them into the cache; start as many as the database and the cache can
// take, on this machine or others, with the same DATABASE_URL and REDIS_URL. `npm start` starts
// KILN_WORKERS of them beside the server. SIGTERM: no new shard is taken, the shards in progress
// hand back what they have not done yet (another worker goes on with it) and save, then it exits.

/** How long the shards in progress get to hand back and save before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 25_000;

try {
  const config = getConfig();
  if (config.database.kind !== 'postgres' || config.cache.kind === 'memory') {
    console.error('A worker process needs DATABASE_URL and REDIS_URL (or REDIS_CLUSTER_NODES): it must share the database and the cache with the server');
    process.exit(2);
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const runtime = await buildRuntime({ mode: 'worker' });
let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  processLogger().info({ signal }, 'Worker shutting down: handing back its shards');
  setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
  runtime.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The server that started this worker (npm start) may go away without a signal: exit with it.
process.on('disconnect', () => shutdown('SIGTERM'));
