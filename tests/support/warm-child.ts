// A stand-in Kiln process for multi-process tests: the runtime Kiln builds (its workers included)
// over one slow fake strategy, driven by arguments, reporting on stdout as JSON lines. It waits for
// "go" on stdin so that several children can start their runs at the same moment.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { RedisCache } from '@/server/cache/redis-cache';
import { parseConfig } from '@/server/config';
import { openPostgres } from '@/server/db/client';
import { buildRuntime } from '@/server/runtime';
import { fakeStrategy, sleep } from './fake-strategy';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    redis: { type: 'string' },
    prefix: { type: 'string' },
    strategy: { type: 'string', default: 'slow_one' },
    keys: { type: 'string', default: '1000' },
    delay: { type: 'string', default: '20' },
  },
});
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const database = await openPostgres(values.db!, 4);
const cache = new RedisCache({ kind: 'redis', url: values.redis! }, { keyPrefix: values.prefix });
await cache.ready();
const strategy = fakeStrategy({
  name: values.strategy!,
  keys: Array.from({ length: Number(values.keys) }, (_, i) => `child:${i}`),
  value: async (key) => {
    await sleep(Number(values.delay));
    return key;
  },
});
const runtime = await buildRuntime({
  mode: 'test',
  config: parseConfig({ DATABASE_URL: values.db!, KILN_JOB_MAINTENANCE_SECONDS: '1', ...JSON.parse(process.env.KILN_TEST_ENV ?? '{}') }),
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  database,
  cache,
  strategies: [strategy],
});
const { warmer } = runtime;
say({ event: 'ready', pid: process.pid });
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
try {
  const run = await warmer.startRun({ trigger: 'manual', triggeredBy: `child-${process.pid}`, scope: { strategies: [values.strategy!] }, concurrency: 2 });
  say({ event: 'started', runId: run.runId });
  const summary = await run.done;
  say({ event: 'done', status: summary.status, totals: summary.totals });
} catch (error) {
  say({ event: 'refused', message: (error as Error).message });
}
await runtime.stop();
await cache.close();
await database.close();
process.exit(0);
