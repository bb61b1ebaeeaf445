import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as status from '@/app/api/status/route';
import { RedisCache } from '@/server/cache/redis-cache';
import { registerStrategies } from '@/server/contexts';
import type { Database } from '@/server/db/client';
import type { RunSummary } from '@/server/warmup/run-records';
import { StrategyRegistry } from '@/server/warmup/registry';
import { request, signedIn } from '../support/api';
import { useTestDatabase } from '../support/db';
import { fakeStrategy, sleep } from '../support/fake-strategy';
import { startOwnRedis } from '../support/own-servers';
import { rawRedis, uniquePrefix, deleteKeysWithPrefix } from '../support/redis';
import { startTestRuntime, useTestRuntime } from '../support/runtime';
import { figure } from '../support/scenario-reporter';
import { testWarmer } from '../support/warmer';

/** A Kiln process (its own workers) over the slow source: its warmer, and its loads in flight. */
async function slowProcess(database: Database, cache: RedisCache) {
  const runtime = await startTestRuntime(database, { cache, strategies: [slowSource()] });
  return { warmer: runtime.warmer, loadsInFlight: () => runtime.workers!.loadsInFlight() };
}

const COMMAND_TIMEOUT_MS = 1000;

function invariantHolds(summary: RunSummary): void {
  for (const s of summary.strategies) expect(s.warmed + s.skipped + s.failed, s.strategy).toBe(s.total);
  expect(summary.totals.warmed + summary.totals.skipped + summary.totals.failed).toBe(summary.totals.total);
}

async function strategyRows(database: Database, runId: string) {
  return database.rows<{ strategy: string; outcome: string; error: string | null }>(
    sql`select strategy, outcome, error from run_strategies where run_id = ${runId}::uuid order by position`,
  );
}

/** A slow source (20 ms a key) so the test can break Redis while the run goes. */
const slowSource = () =>
  fakeStrategy({
    name: 'slow_source',
    keys: Array.from({ length: 3000 }, (_, i) => `slow:${i}`),
    count: true,
    value: async (key) => {
      await sleep(20);
      return JSON.stringify({ key });
    },
  });

describe('Redis faults', () => {
  it('Redis down before a run: the run fails fast with the reason, the app keeps serving, the next run after Redis is back succeeds', async (ctx) => {
    const redis = await startOwnRedis();
    const { database } = await useTestDatabase({ shop: true });
    const cache = new RedisCache({ kind: 'redis', url: redis.url }, { keyPrefix: 'fault:', commandTimeoutMs: COMMAND_TIMEOUT_MS });
    ctx.onTestFinished(() => cache.close());
    await cache.ready();
    const runtime = await useTestRuntime(database, { cache });
    const operator = await signedIn(database, 'operator');
    await redis.kill();

    const started = Date.now();
    const down = await (await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } })).done;
    const seconds = (Date.now() - started) / 1000;
    expect(down.status).toBe('failed');
    expect(seconds).toBeLessThan(10);
    invariantHolds(down);
    const rows = await strategyRows(database, down.runId);
    expect(rows.every((r) => r.outcome === 'failed')).toBe(true);
    expect(rows.at(-1)!.error).toMatch(/^the cache is unavailable/);

    // The app keeps serving: the status endpoint answers and says the cache is down.
    const answer = await status.GET(request('/api/status', { session: operator.session }), undefined as never);
    expect(answer.status).toBe(200);
    expect((await answer.json()).cache).toMatchObject({ ok: false });

    await redis.start();
    await cache.ready(10_000); // the same client reconnects by itself: no restart
    const back = await (await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } })).done;
    expect(back.status).toBe('succeeded');
    figure(ctx.task, 'failedRunSeconds', seconds.toFixed(2));
    figure(ctx.task, 'failedKeys', down.totals.failed);
    figure(ctx.task, 'warmedAfterRestart', back.totals.warmed);
  });

  it('Redis killed mid-run: the run ends partial within a bounded time, keys add up, the next run succeeds', async (ctx) => {
    const redis = await startOwnRedis();
    const { database } = await useTestDatabase();
    const cache = new RedisCache({ kind: 'redis', url: redis.url }, { keyPrefix: 'fault:', commandTimeoutMs: COMMAND_TIMEOUT_MS });
    ctx.onTestFinished(() => cache.close());
    await cache.ready();
    const { warmer, loadsInFlight } = await slowProcess(database, cache);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, concurrency: 8 });
    await sleep(1500);
    await redis.kill();
    const killedAt = Date.now();
    const summary = await run.done;
    const endedAfter = (Date.now() - killedAt) / 1000;
    expect(['partial', 'failed']).toContain(summary.status);
    expect(summary.totals.warmed).toBeGreaterThan(0);
    expect(endedAfter).toBeLessThan(10);
    expect(loadsInFlight()).toBe(0);
    invariantHolds(summary);
    const [row] = await database.rows<{ status: string; warmed: number; failed: number }>(sql`select status, warmed::int, failed::int from runs where id = ${run.runId}::uuid`);
    expect(row).toEqual({ status: summary.status, warmed: summary.totals.warmed, failed: summary.totals.failed });

    await redis.start();
    await cache.ready(10_000);
    const again = await (await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, concurrency: 32 })).done;
    expect(again.status).toBe('succeeded');
    figure(ctx.task, 'endedSecondsAfterKill', endedAfter.toFixed(2));
    figure(ctx.task, 'warmedBeforeKill', summary.totals.warmed);
    figure(ctx.task, 'failed', summary.totals.failed);
  });

  it('Redis frozen (SIGSTOP) mid-run: the run ends within its deadline and in-flight loads return to 0', async (ctx) => {
    const redis = await startOwnRedis();
    const { database } = await useTestDatabase();
    const cache = new RedisCache({ kind: 'redis', url: redis.url }, { keyPrefix: 'fault:', commandTimeoutMs: COMMAND_TIMEOUT_MS });
    ctx.onTestFinished(async () => {
      redis.thaw();
      await cache.close();
    });
    await cache.ready();
    const { warmer, loadsInFlight } = await slowProcess(database, cache);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, concurrency: 8 });
    await sleep(1500);
    redis.freeze();
    const frozenAt = Date.now();
    const summary = await run.done;
    const endedAfter = (Date.now() - frozenAt) / 1000;
    // Every write waits out its command timeout (1 s here) once; three in a row open the breaker.
    expect(endedAfter).toBeLessThan(COMMAND_TIMEOUT_MS / 1000 + 5);
    expect(['partial', 'failed']).toContain(summary.status);
    expect(loadsInFlight()).toBe(0);
    invariantHolds(summary);
    redis.thaw();
    figure(ctx.task, 'endedSecondsAfterFreeze', endedAfter.toFixed(2));
    figure(ctx.task, 'commandTimeoutMs', COMMAND_TIMEOUT_MS);
  });

  it('a key whose SET fails (a hash in the way): counted failed with the error, the run is partial', async (ctx) => {
    const { database } = await useTestDatabase({ shop: true });
    const prefix = uniquePrefix('wrongtype-run');
    const cache = new RedisCache({ kind: 'redis', url: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379' }, { keyPrefix: prefix });
    const raw = rawRedis();
    ctx.onTestFinished(async () => {
      await cache.close();
      raw.disconnect();
      await deleteKeysWithPrefix(prefix);
    });
    await cache.ready();
    await raw.hset(`${prefix}Category:tree:root`, 'owner', 'another application');
    const warmer = await testWarmer(database, cache, registerStrategies(new StrategyRegistry()).list());
    const summary = await (await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { strategies: ['categories'] } })).done;
    expect(summary.status).toBe('partial');
    expect(summary.totals.failed).toBe(1);
    const [failure] = await database.rows<{ key: string; error: string }>(sql`select key, error from run_failures`);
    expect(failure!.key).toBe('Category:tree:root');
    expect(failure!.error).toMatch(/^cache write failed: WRONGTYPE/);
    expect(await raw.hget(`${prefix}Category:tree:root`, 'owner')).toBe('another application');
    figure(ctx.task, 'failed', summary.totals.failed);
    figure(ctx.task, 'warmed', summary.totals.warmed);
  });
});
