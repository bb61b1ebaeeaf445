import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { strategySettings } from '@/server/db/schema';
import { StrategiesBusyError } from '@/server/warmup/run-records';
import { retuneRunningRuns } from '@/server/warmup/settings';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { testWarmer, useTestRedisCache } from '../../support/warmer';

const keys = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}:${i}`);

describe('a warmup run', () => {
  it('is recorded as running before the first cache write, and saved with per-strategy stats when it ends', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    let statusAtFirstLoad: string | undefined;
    const strategy = fakeStrategy({
      name: 'alpha',
      keys: keys(40, 'alpha'),
      value: async (key) => {
        if (!statusAtFirstLoad) {
          const [row] = await database.rows<{ status: string }>(sql`select status from runs`);
          statusAtFirstLoad = row?.status;
        }
        return key === 'alpha:3' ? null : JSON.stringify({ key });
      },
    });
    const warmer = await testWarmer(database, cache, [strategy]);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'ops@example.com', scope: { all: true } });
    const summary = await run.done;
    expect(statusAtFirstLoad).toBe('running');
    expect(summary).toMatchObject({ status: 'succeeded', totals: { total: 40, warmed: 39, skipped: 1, failed: 0 } });
    const [row] = await database.rows<Record<string, unknown>>(sql`select status, trigger, triggered_by, total::int, warmed::int, skipped::int, failed::int, finished_at is not null as finished, duration_ms from runs where id = ${run.runId}`);
    expect(row).toMatchObject({ status: 'succeeded', trigger: 'manual', triggered_by: 'ops@example.com', total: 40, warmed: 39, skipped: 1, failed: 0, finished: true });
    const [strat] = await database.rows<Record<string, unknown>>(sql`select strategy, outcome, total, warmed, skipped, success_rate from run_strategies where run_id = ${run.runId}`);
    expect(strat).toMatchObject({ strategy: 'alpha', outcome: 'succeeded', total: 40, warmed: 39, skipped: 1, success_rate: 1 });
    expect(await cache.get('alpha:5')).toBe('{"key":"alpha:5"}');
    const locks = await database.rows(sql`select * from strategy_locks`);
    expect(locks).toEqual([]);
  });

  it('warms strategies by priority, highest first, ties by name, and records failures with their keys', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const order: string[] = [];
    const make = (name: string, priority: number) =>
      fakeStrategy({
        name,
        priority,
        keys: keys(3, name),
        value: (key) => {
          if (!order.includes(name)) order.push(name);
          if (key === 'mid:1') throw new Error('row 1 is broken');
          return key;
        },
      });
    const warmer = await testWarmer(database, cache, [make('low', 10), make('top', 100), make('mid', 50), make('also_mid', 50)]);
    const run = await warmer.startRun({ trigger: 'api', triggeredBy: 'token:ci', scope: { all: true } });
    const summary = await run.done;
    expect(order).toEqual(['top', 'also_mid', 'mid', 'low']);
    expect(run.strategies).toEqual(['top', 'also_mid', 'mid', 'low']);
    expect(summary.status).toBe('partial');
    const failures = await database.rows<{ strategy: string; key: string; error: string }>(sql`select strategy, key, error from run_failures where run_id = ${run.runId}`);
    expect(failures).toEqual([{ strategy: 'mid', key: 'mid:1', error: 'row 1 is broken' }]);
    const positions = await database.rows<{ strategy: string; position: number }>(sql`select strategy, position from run_strategies where run_id = ${run.runId} order by position`);
    expect(positions.map((p) => p.strategy)).toEqual(['top', 'also_mid', 'mid', 'low']);
  });

  it('records a strategy whose listing throws as failed with the error, and still runs the rest', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const broken = fakeStrategy({ name: 'broken', priority: 90, keys: keys(5, 'b'), listingFailsAfter: 0 });
    const fine = fakeStrategy({ name: 'fine', priority: 10, keys: keys(5, 'f') });
    const warmer = await testWarmer(database, cache, [broken, fine]);
    const summary = await (await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } })).done;
    expect(summary.status).toBe('partial');
    const rows = await database.rows<{ strategy: string; outcome: string; error: string | null; total: number }>(sql`select strategy, outcome, error, total from run_strategies order by position`);
    expect(rows).toEqual([
      { strategy: 'broken', outcome: 'failed', error: 'listing keys failed: listing query failed', total: 0 },
      { strategy: 'fine', outcome: 'succeeded', error: null, total: 5 },
    ]);
  });

  it('selects by tag and by name, refuses unknown names and tags, and leaves disabled strategies out of "all"', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const warmer = await testWarmer(database, cache, [
      fakeStrategy({ name: 'prod', context: 'catalog', keys: keys(2, 'p') }),
      fakeStrategy({ name: 'sess', context: 'identity', keys: keys(2, 's') }),
      fakeStrategy({ name: 'bulk', context: 'catalog', tags: ['catalog', 'bulk'], keys: keys(2, 'k') }),
    ]);
    await database.db.insert(strategySettings).values({ strategy: 'bulk', enabled: false });
    const byTag = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { tags: ['catalog'] } });
    expect(byTag.strategies).toEqual(['prod']);
    await byTag.done;
    const all = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } });
    expect(all.strategies.sort()).toEqual(['prod', 'sess']);
    await all.done;
    await expect(warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { strategies: ['nope'] } })).rejects.toMatchObject({ field: 'scope.strategies', message: expect.stringContaining('Unknown strategy: nope') });
    await expect(warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { tags: ['nope'] } })).rejects.toMatchObject({ field: 'scope.tags' });
    await expect(warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { strategies: ['bulk'] } })).rejects.toMatchObject({ status: 409, message: expect.stringContaining('Disabled strategy: bulk') });
    const [count] = await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`);
    expect(count!.n).toBe(2);
  });

  it('refuses a second run of a busy strategy with the reason, across warmers of different processes', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const slow = () => fakeStrategy({ name: 'slow', keys: keys(20, 's'), value: async (k) => { await sleep(20); return k; } });
    const processA = await testWarmer(database, cache, [slow()], 'host-a:1');
    const processB = await testWarmer(database, cache, [slow()], 'host-b:2');
    const results = await Promise.allSettled([
      processA.startRun({ trigger: 'manual', triggeredBy: 'a', scope: { strategies: ['slow'] } }),
      processB.startRun({ trigger: 'manual', triggeredBy: 'b', scope: { strategies: ['slow'] } }),
    ]);
    const started = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(StrategiesBusyError);
    expect(refused[0]!.reason.message).toMatch(/^Already being warmed: slow \(run [0-9a-f]{8}\)$/);
    const [runs] = await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`);
    expect(runs!.n).toBe(1);
    await (started[0] as PromiseFulfilledResult<{ done: Promise<unknown> }>).value.done;
    // Once it has ended the strategy is free again.
    await (await processB.startRun({ trigger: 'manual', triggeredBy: 'b', scope: { strategies: ['slow'] } })).done;
  });

  it('stops within a heartbeat when another process asks it to cancel, and ends cancelled with partial stats', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const strategy = () => fakeStrategy({ name: 'long', keys: keys(5000, 'l'), value: async (k) => { await sleep(5); return k; } });
    const runner = await testWarmer(database, cache, [strategy(), fakeStrategy({ name: 'after', priority: 1, keys: ['x'] })]);
    const other = await testWarmer(database, cache, [strategy()]);
    const run = await runner.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, concurrency: 4 });
    await sleep(300);
    expect(await other.cancelRun(run.runId, 'ops@example.com')).toBe('requested');
    const cancelledAt = Date.now();
    const summary = await run.done;
    expect(Date.now() - cancelledAt).toBeLessThan(2000);
    expect(summary.status).toBe('cancelled');
    expect(summary.totals.warmed).toBeGreaterThan(0);
    expect(summary.totals.warmed).toBeLessThan(5000);
    const [row] = await database.rows<{ status: string; cancel_requested_by: string; strategies: number }>(sql`select status, cancel_requested_by, (select count(*)::int from run_strategies where run_id = runs.id) as strategies from runs`);
    expect(row).toEqual({ status: 'cancelled', cancel_requested_by: 'ops@example.com', strategies: 1 });
    expect(await other.cancelRun(run.runId, 'x')).toBe('not_running');
  });

  it('picks up a concurrency retuned by another process while it runs', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    let inFlight = 0;
    const samples: number[] = [];
    const strategy = fakeStrategy({
      name: 'tune',
      keys: keys(1500, 't'),
      value: async (k) => { await sleep(10); return k; },
      onLoadStart: () => samples.push(++inFlight),
      onLoadEnd: () => inFlight--,
    });
    const warmer = await testWarmer(database, cache, [strategy]);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, concurrency: 12 });
    await sleep(150);
    expect(await retuneRunningRuns(database.db, 2)).toBe(1);
    await sleep(1200); // a heartbeat (0.5 s) brings the new limit, then the loads already running drain
    const mark = samples.length;
    await run.done;
    expect(Math.max(...samples.slice(0, mark))).toBe(12);
    expect(samples.length - mark).toBeGreaterThan(50);
    expect(Math.max(...samples.slice(mark))).toBeLessThanOrEqual(2);
    const [row] = await database.rows<{ concurrency: number }>(sql`select concurrency from runs`);
    expect(row!.concurrency).toBe(2);
  });

  it('waits, visibly, while no worker takes its work, then fails saying why once the wait bound passes, which frees its strategies', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    // A process that records runs but runs no worker, and no worker anywhere.
    const { startTestRuntime } = await import('../../support/runtime');
    const recorder = await startTestRuntime(database, { cache, strategies: [fakeStrategy({ name: 'lonely', keys: ['l:1'] })], workers: false });
    await database.rows(sql`update settings set worker_wait_seconds = 10`);
    const run = await recorder.warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } });
    await sleep(300);
    const { readSnapshot } = await import('@/server/runs/watch-run');
    const waiting = await readSnapshot(database, run.runId);
    expect(waiting?.progress).toMatchObject({ phase: 'queued', waitingFor: 'worker', shards: { total: 1, queued: 1 } });
    // Not yet past the bound: the watchdog leaves it waiting.
    expect(await recorder.watchdog.check()).toEqual([]);
    await database.rows(sql`update run_shards set queued_at = now() - interval '11 seconds'`);
    expect(await recorder.watchdog.check()).toEqual([run.runId]);
    const summary = await run.done;
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/^no worker took its work within 10 s \(no worker has ever reported\)/);
    expect(await database.rows(sql`select * from strategy_locks`)).toEqual([]);
    const [shard] = await database.rows<{ status: string }>(sql`select status from run_shards`);
    expect(shard!.status).toBe('cancelled');
  });

  it('counts keys in a dry run and writes nothing to the cache', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const warmer = await testWarmer(database, cache, [fakeStrategy({ name: 'dry', keys: keys(77, 'd') })]);
    const summary = await (await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, dryRun: true })).done;
    expect(summary).toMatchObject({ status: 'succeeded', totals: { total: 77, warmed: 0 } });
    expect(await cache.exists('d:0')).toBe(false);
    const [row] = await database.rows<{ dry_run: boolean }>(sql`select dry_run from runs`);
    expect(row!.dry_run).toBe(true);
  });

  it('retries only the given keys', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const warmer = await testWarmer(database, cache, [fakeStrategy({ name: 'retry_me', keys: keys(50, 'r') })]);
    const run = await warmer.startRun({ trigger: 'retry', triggeredBy: 'x', scope: { strategies: ['retry_me'] }, keyFilter: { retry_me: ['r:3', 'r:4'] } });
    expect((await run.done).totals.total).toBe(2);
    expect(await cache.exists('r:5')).toBe(false);
  });
});
