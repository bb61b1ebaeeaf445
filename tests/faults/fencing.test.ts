import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Cache, CacheEntry } from '@/server/cache/cache';
import { RedisCache } from '@/server/cache/redis-cache';
import { openPostgres } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { fakeStrategy, sleep } from '../support/fake-strategy';
import { startOwnPostgres } from '../support/own-servers';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { startTestRuntime } from '../support/runtime';
import { figure } from '../support/scenario-reporter';
import { TEST_REDIS_URL } from '../support/env';
import { waitUntil } from '../support/worker-process';

type Write = { writer: string; at: number; keys: number };

/** The cache as one worker sees it, noting when each of its batch writes landed. */
function recording(cache: Cache, writer: string, writes: Write[]): Cache {
  return new Proxy(cache, {
    get(target, prop) {
      if (prop === 'setMany') {
        return async (entries: readonly CacheEntry[], options?: { version?: string }) => {
          const results = await target.setMany(entries, options);
          writes.push({ writer, at: Date.now(), keys: results.filter((r) => r.ok).length });
          return results;
        };
      }
      // The adapter's methods use private fields: they run on the adapter itself, not the proxy.
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const KEYS = 3000;

describe('fencing', () => {
  it('a worker whose database connections freeze stops writing before another worker takes its shard over: no write of the first lands after the second began', { timeout: 180_000 }, async (ctx) => {
    const server = await startOwnPostgres();
    const url = await server.createDatabase('kiln');
    const setup = await openPostgres(url, 2);
    await applyMigrations(setup);
    // A 3 s cap and a 500 ms load timeout: the job expires 9 s after it was taken, the fence stands 3 s before.
    await setup.rows(sql`update settings set key_timeout_ms = 500 where id = 1`);
    const prefix = uniquePrefix('fencing');
    ctx.onTestFinished(async () => {
      await setup.close();
      await deleteKeysWithPrefix(prefix);
    });
    const writes: Write[] = [];
    const strategy = (writer: string) =>
      fakeStrategy({
        name: 'fenced',
        keys: Array.from({ length: KEYS }, (_, i) => `f:${i}`),
        pageSize: 20,
        value: async (key) => {
          await sleep(5);
          return JSON.stringify({ key, writer });
        },
      });
    const env = { KILN_SHARD_SECONDS: '3' };

    // Worker A: its own pool, whose Postgres backends the test will freeze.
    const databaseA = await openPostgres(url, 3);
    ctx.onTestFinished(() => databaseA.close());
    const cacheA = new RedisCache({ kind: 'redis', url: TEST_REDIS_URL }, { keyPrefix: prefix });
    ctx.onTestFinished(() => cacheA.close());
    const a = await startTestRuntime(databaseA, { cache: recording(cacheA, 'A', writes), strategies: [strategy('A')], owner: 'worker-a', env });
    const run = await a.warmer.startRun({ trigger: 'manual', triggeredBy: 'fault test', scope: { all: true }, concurrency: 2 });
    await waitUntil(() => writes.some((w) => w.writer === 'A'), 30_000, 'worker A writing');

    // Every backend of A's pool: SIGSTOP. A's heartbeats and saves now hang; its cache writes do not.
    const pids = await Promise.all([0, 1, 2].map(() => databaseA.rows<{ pid: number }>(sql`select pg_backend_pid() as pid, pg_sleep(0.3)`)));
    const backends = [...new Set(pids.map((r) => r[0]!.pid))];
    for (const pid of backends) process.kill(pid, 'SIGSTOP');
    const frozenAt = Date.now();
    ctx.onTestFinished(() => {
      for (const pid of backends) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // gone already
        }
      }
    });

    // Worker B, on a pool of its own: once A's job expires, pg-boss gives B the shard.
    const databaseB = await openPostgres(url, 3);
    ctx.onTestFinished(() => databaseB.close());
    const cacheB = new RedisCache({ kind: 'redis', url: TEST_REDIS_URL }, { keyPrefix: prefix });
    ctx.onTestFinished(() => cacheB.close());
    const b = await startTestRuntime(databaseB, { cache: recording(cacheB, 'B', writes), strategies: [strategy('B')], owner: 'worker-b', env, workers: true });
    const { RunWaiters } = await import('@/server/warmup/run-waiters');
    const pino = (await import('pino')).default;
    await waitUntil(() => writes.some((w) => w.writer === 'B'), 60_000, 'worker B taking the shard over');

    const lastA = Math.max(...writes.filter((w) => w.writer === 'A').map((w) => w.at));
    const firstB = Math.min(...writes.filter((w) => w.writer === 'B').map((w) => w.at));
    expect(lastA).toBeLessThan(firstB);

    // A thaws: its late save is superseded by B's attempt, and every key is counted once.
    for (const pid of backends) process.kill(pid, 'SIGCONT');
    const summary = await new RunWaiters(databaseB, pino({ level: 'silent' })).wait(run.runId);
    expect(summary).toMatchObject({ status: 'succeeded', totals: { total: KEYS, warmed: KEYS, failed: 0 } });
    await sleep(1500);
    const [row] = await databaseB.rows<{ total: number }>(sql`select total::int from runs where id = ${run.runId}::uuid`);
    expect(row!.total).toBe(KEYS);
    expect(b.workers).not.toBeNull();
    figure(ctx.task, 'lastWriteOfAAfterFreezeMs', lastA - frozenAt);
    figure(ctx.task, 'firstWriteOfBAfterFreezeMs', firstB - frozenAt);
    figure(ctx.task, 'gapMs', firstB - lastA);
  });
});
