import 'server-only';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Scope } from '../db/schema';
import { AppError } from '../errors';
import { createLogger } from '../logger';
import { buildRuntime } from '../runtime';
import { readSnapshot } from '../runs/watch-run';
import { formatSummary } from '../warmup/summary';
import { runCli } from './cli-support';
import { ProgressBar, formatCount } from './progress-bar';

const USAGE = `usage: npm run warmup -- (--all | --strategy NAME... | --tag TAG...) [options]
  --all              every enabled strategy
  --strategy NAME    a strategy by name (repeatable): hot_products, recommendations, ...
  --tag TAG          the enabled strategies with a tag (repeatable): catalog, identity, ...
  --concurrency N    loads in flight (1-256; default: the maxConcurrency setting)
  --only-missing     skip keys still cached with more than half their TTL left
  --dry-run          count the keys, load and write nothing
Exit code 0 when no key failed, 1 otherwise. The run is recorded like any other (trigger cli).`;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      all: { type: 'boolean', default: false },
      strategy: { type: 'string', multiple: true },
      tag: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      'only-missing': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const chosen = [values.all, Boolean(values.strategy?.length), Boolean(values.tag?.length)].filter(Boolean).length;
  if (chosen !== 1) {
    console.error(`Choose exactly one of --all, --strategy or --tag\n${USAGE}`);
    return 2;
  }
  const scope: Scope = values.all ? { all: true } : values.strategy?.length ? { strategies: values.strategy } : { tags: values.tag! };
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)) {
    console.error(`--concurrency must be a whole number from 1 to 256, got ${values.concurrency}`);
    return 2;
  }

  const runtime = await buildRuntime({ mode: 'cli', logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  const { cache, database, warmer } = runtime;
  try {
    if (cache.kind === 'memory') {
      console.warn('Note: REDIS_URL is not set, so this warms an in-process cache that ends with this command.');
    }
    const run = await warmer.startRun({
      trigger: 'cli',
      triggeredBy: `cli:${os.userInfo().username}@${os.hostname()}`,
      scope,
      concurrency,
      onlyMissing: values['only-missing'],
      dryRun: values['dry-run'],
    });
    console.log(`Run ${run.runId}: ${run.strategies.join(', ')} into ${cache.describe()}`);
    const bar = new ProgressBar();
    const stopOnSignal = () => void warmer.cancelRun(run.runId, 'cli (interrupted)');
    process.once('SIGINT', stopOnSignal);
    // The run's progress as every process sees it: its shards may run on this process's workers or on others'.
    let polling = false;
    const timer = setInterval(() => {
      if (polling) return;
      polling = true;
      void readSnapshot(database, run.runId)
        .then((snapshot) => {
          const p = snapshot?.progress;
          const c = p?.current;
          if (!p || !c) return;
          const shards = p.shards && p.shards.total > 1 ? `, ${p.shards.settled}/${p.shards.total} shards` : '';
          bar.update(c.done, c.expected, `${c.strategy} (${p.position + 1}/${p.strategiesTotal}) ${formatCount(c.done)} keys, ${formatCount(c.keysPerSecond)}/s, ${c.failed} failed${shards}`);
        })
        .catch(() => {})
        .finally(() => (polling = false));
    }, 250);
    const summary = await run.done;
    clearInterval(timer);
    bar.done();
    for (const s of summary.strategies) {
      const estimate = summary.estimate?.strategies.find((e) => e.strategy === s.strategy);
      const line = values['dry-run'] ? `${s.total} keys (dry run)${estimate ? `, ${describeEstimate(estimate.duration.expectedMs, estimate.memory.bytes)}` : ''}` : formatSummary(s);
      console.log(`  ${s.strategy.padEnd(16)} ${line}${s.error ? ` — ${s.error}` : ''}`);
    }
    if (values['dry-run']) {
      const total = summary.estimate?.total;
      console.log(`Dry run: ${formatCount(summary.totals.total)} keys in ${summary.strategies.length} strategies${total ? `; a real run: ${describeEstimate(total.expectedMs, total.bytes)}` : ''}`);
    }
    else console.log(`${formatSummary(summary.totals)} [run ${summary.status}]`);
    return summary.status === 'succeeded' ? 0 : 1;
  } catch (error) {
    if (error instanceof AppError) {
      console.error(`Refused: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await runtime.stop();
  }
});

/** "about 1.2 s, about 34.0 MB in the cache", saying "unknown" where there is no figure. */
function describeEstimate(expectedMs: number | null, bytes: number | null): string {
  const time = expectedMs === null ? 'duration unknown (no history)' : expectedMs < 1000 ? `about ${expectedMs} ms` : `about ${(expectedMs / 1000).toFixed(1)} s`;
  const memory = bytes === null ? 'cache memory unknown' : bytes < 1048576 ? `about ${Math.ceil(bytes / 1024)} KB in the cache` : `about ${(bytes / 1048576).toFixed(1)} MB in the cache`;
  return `${time}, ${memory}`;
}
