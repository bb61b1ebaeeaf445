import 'server-only';
import { getConfig } from '../config';
import { dryRunEstimator } from '../effect/estimate-run';
import { createLogger } from '../logger';
import { freshnessGuard } from '../freshness/rewarm-plan';
import { buildRuntime } from '../runtime';
import { type RunHandle, type RunProgress, executeRun } from '../warmup/execute-run';
import { ConcurrencyLimiter } from '../warmup/limiter';
import { loadRunPlan } from '../warmup/run-plan';

/**
 * A run's own process: the server records a run (row and leases), then starts this to execute it,
 * so that the warmup's work never shares an event loop with the server's HTTP requests. Everything
 * a run exchanges with the rest of Kiln already goes through Postgres (heartbeat, progress, a
 * retuned concurrency, a cancel), so the only messages are from the server: `abort`, with a reason.
 * If the server dies, this process exits at once without saving: the run's heartbeat stops and the
 * run becomes abandoned, as a killed server's run must.
 */
const runId = process.argv[2];
if (!runId) {
  console.error('usage: execute-run.ts <run id>');
  process.exit(2);
}

const config = getConfig();
const logger = createLogger(config.logLevel).child({ runId, process: 'run' });
const controller = new AbortController();
process.on('message', (message: { type?: string; reason?: string }) => {
  if (message?.type === 'abort' && !controller.signal.aborted) controller.abort(new Error(message.reason ?? 'cancelled'));
});
process.on('disconnect', () => {
  logger.warn('The server that started this run is gone: stopping without saving (the run will be found abandoned)');
  process.exit(1);
});
// A terminal's Ctrl-C reaches the whole process group: stop as a server shutdown stops runs.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => controller.abort(new Error('stopped: the server is shutting down')));
}

const runtime = await buildRuntime({ mode: 'run', config, logger });
const { database, cache, registry } = runtime;
let code = 0;
try {
  const plan = await loadRunPlan(database, registry, runId);
  const handle: RunHandle = {
    plan,
    controller,
    limiter: new ConcurrencyLimiter(plan.concurrency),
    progress: (): RunProgress => ({ runId, strategy: null, position: 0, strategiesTotal: plan.strategies.length, current: null, completed: [], concurrency: plan.concurrency, inFlight: 0 }),
  };
  await executeRun({ database, cache, logger, estimate: dryRunEstimator({ database, cache }), readVersion: freshnessGuard(config, database) }, handle);
} catch (error) {
  logger.error({ err: error }, 'The run process failed');
  code = 1;
} finally {
  await runtime.stop().catch(() => {});
}
process.exit(code);
