import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '@/server/db/client';
import { getFailedKeys, getRunDetail, listRuns } from '@/server/runs/run-queries';
import { getRunStats } from '@/server/runs/run-stats';
import { type RunEvent, watchRun } from '@/server/runs/watch-run';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { testWarmer, useTestRedisCache } from '../../support/warmer';

/** Inserts a finished run with one strategy result, as history. */
async function historicRun(database: Database, o: { at: string; strategy: string; durationMs: number; total: number; warmed: number; failed?: number; trigger?: string; dryRun?: boolean }) {
  const [run] = await database.rows<{ id: string }>(sql`
    insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status, created_at, finished_at, total, warmed, failed, duration_ms, dry_run)
    values (${o.trigger ?? 'schedule'}, 'Nightly', '{"all":true}', ${`{${o.strategy}}`}, 10, 'h:1', 'succeeded', ${o.at}::timestamptz - interval '1 minute',
            ${o.at}::timestamptz, ${o.total}, ${o.warmed}, ${o.failed ?? 0}, ${o.durationMs}, ${o.dryRun ?? false})
    returning id::text as id`);
  await database.rows(sql`
    insert into run_strategies (run_id, strategy, position, outcome, trigger, dry_run, priority, ttl_seconds, total, warmed, skipped, failed, success_rate, started_at, finished_at, duration_ms)
    values (${run!.id}::uuid, ${o.strategy}, 0, 'succeeded', ${o.trigger ?? 'schedule'}, ${o.dryRun ?? false}, 50, 600, ${o.total}, ${o.warmed}, ${o.total - o.warmed - (o.failed ?? 0)}, ${o.failed ?? 0},
            ${o.total ? o.warmed / o.total : 0}, ${o.at}::timestamptz - interval '1 minute', ${o.at}::timestamptz, ${o.durationMs})`);
  return run!.id;
}

describe('reading runs', () => {
  it('lists runs newest first, filtered, with a cursor that neither repeats nor skips', async () => {
    const { database } = await useTestDatabase();
    for (let i = 0; i < 7; i++) {
      await historicRun(database, { at: `2026-11-0${i + 1}T10:00:00Z`, strategy: i % 2 ? 'hot_products' : 'sessions', durationMs: 1000, total: 10, warmed: 10, trigger: i === 3 ? 'manual' : 'schedule' });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns(database, { limit: 3, cursor });
      seen.push(...page.items.map((r) => r.createdAt));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect(new Set(seen).size).toBe(7);

    const hot = await listRuns(database, { strategy: 'hot_products' });
    expect(hot.items).toHaveLength(3);
    expect(hot.items.every((r) => r.strategies.includes('hot_products'))).toBe(true);
    expect((await listRuns(database, { trigger: 'manual' })).items).toHaveLength(1);
    expect((await listRuns(database, { from: '2026-11-05T00:00:00Z', to: '2026-11-07T00:00:00Z' })).items).toHaveLength(2);
    await expect(listRuns(database, { cursor: 'garbage' })).rejects.toMatchObject({ field: 'cursor', status: 400 });
  });

  it('finds runs by the start of their id or by text in who started them, their strategies or their error', async () => {
    const { database } = await useTestDatabase();
    const hot = await historicRun(database, { at: '2026-11-01T10:00:00Z', strategy: 'hot_products', durationMs: 10, total: 5, warmed: 5, trigger: 'manual' });
    const sessions = await historicRun(database, { at: '2026-11-02T10:00:00Z', strategy: 'sessions', durationMs: 10, total: 5, warmed: 3, failed: 2 });
    await database.rows(sql`update runs set triggered_by = 'alice@example.com' where id = ${hot}::uuid`);
    await database.rows(sql`update runs set error = 'sessions: Redis timed out' where id = ${sessions}::uuid`);
    const ids = async (q: string) => (await listRuns(database, { q })).items.map((r) => r.id);

    expect(await ids(hot.slice(0, 8))).toEqual([hot]);
    expect(await ids(hot.slice(0, 8).toUpperCase())).toEqual([hot]);
    expect(await ids(hot.slice(4, 12))).toEqual([]); // an id matches from its start only
    expect(await ids('alice')).toEqual([hot]);
    expect(await ids('hot products')).toEqual([hot]); // the strategy's label, as the pages write it
    expect(await ids('hot_products')).toEqual([hot]);
    expect(await ids('timed out')).toEqual([sessions]);
    expect(await ids('100%_')).toEqual([]); // LIKE's wildcards are text here
    expect((await listRuns(database, { q: 'Nightly', strategy: 'sessions' })).items.map((r) => r.id)).toEqual([sessions]);
  });

  it('leaves dry runs out of the list unless asked', async () => {
    const { database } = await useTestDatabase();
    await historicRun(database, { at: '2026-11-01T10:00:00Z', strategy: 's', durationMs: 10, total: 5, warmed: 0, dryRun: true });
    expect((await listRuns(database, {})).items).toHaveLength(0);
    expect((await listRuns(database, { includeDryRuns: 'true' })).items).toHaveLength(1);
  });

  it('gives a run\u2019s detail with its results and searchable failures, and its failed keys for a retry', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const strategy = fakeStrategy({
      name: 'details',
      keys: Array.from({ length: 20 }, (_, i) => `Product:id:${i}`),
      value: (key) => {
        if (key.endsWith(':7') || key.endsWith(':17')) throw new Error(`no row for ${key}`);
        return key;
      },
    });
    const warmer = await testWarmer(database, cache, [strategy]);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'ops@example.com', scope: { all: true } });
    await run.done;
    const detail = await getRunDetail(database, run.runId);
    expect(detail).toMatchObject({ id: run.runId, status: 'partial', triggeredBy: 'ops@example.com', total: 20, warmed: 18, failed: 2, failureCount: 2, successRate: 0.9 });
    expect(detail.results).toEqual([expect.objectContaining({ strategy: 'details', outcome: 'partial', warmed: 18, failed: 2 })]);
    expect(detail.failures.map((f) => f.key).sort()).toEqual(['Product:id:17', 'Product:id:7']);
    const searched = await getRunDetail(database, run.runId, { search: ':17' });
    expect(searched.failures.map((f) => f.key)).toEqual(['Product:id:17']);
    expect(await getFailedKeys(database, run.runId)).toEqual({ details: ['Product:id:17', 'Product:id:7'] });
    await expect(getRunDetail(database, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404 });
    await expect(getRunDetail(database, 'nope')).rejects.toMatchObject({ status: 404 });
  });
});

describe('run statistics', () => {
  it('aggregates per strategy and bucket in SQL: runs, key-weighted success rate, p50 and p95 duration', async () => {
    const { database } = await useTestDatabase();
    const durations = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
    for (const [i, d] of durations.entries()) {
      await historicRun(database, { at: `2026-11-10T10:${String(i * 5).padStart(2, '0')}:00Z`, strategy: 'hot_products', durationMs: d, total: 100, warmed: i === 0 ? 50 : 100, failed: i === 0 ? 50 : 0 });
    }
    await historicRun(database, { at: '2026-11-10T12:30:00Z', strategy: 'hot_products', durationMs: 5, total: 10, warmed: 10 });
    await historicRun(database, { at: '2026-11-10T10:30:00Z', strategy: 'sessions', durationMs: 50, total: 4, warmed: 4, trigger: 'manual' });
    await historicRun(database, { at: '2026-11-10T10:40:00Z', strategy: 'sessions', durationMs: 50, total: 4, warmed: 0, dryRun: true });

    const stats = await getRunStats(database, { from: '2026-11-10T10:00:00Z', to: '2026-11-10T14:00:00Z', bucket: '1h' });
    expect(stats.bucket).toBe('1h');
    const hot10 = stats.buckets.find((b) => b.strategy === 'hot_products' && b.bucketStart === '2026-11-10T10:00:00Z')!;
    expect(hot10).toMatchObject({ runs: 10, total: 1000, warmed: 950, failed: 50 });
    expect(hot10.successRate).toBeCloseTo(0.95);
    expect(hot10.p50DurationMs).toBeCloseTo(550);
    expect(hot10.p95DurationMs).toBeCloseTo(955);
    expect(stats.buckets.find((b) => b.strategy === 'hot_products' && b.bucketStart === '2026-11-10T12:00:00Z')).toMatchObject({ runs: 1 });
    const sessions = stats.buckets.filter((b) => b.strategy === 'sessions');
    expect(sessions).toEqual([expect.objectContaining({ runs: 1, warmed: 4 })]); // the dry run is left out

    const manual = await getRunStats(database, { from: '2026-11-10T00:00:00Z', to: '2026-11-11T00:00:00Z', trigger: 'manual' });
    expect(manual.buckets.map((b) => b.strategy)).toEqual(['sessions']);
    expect(manual.bucket).toBe('1h');
    await expect(getRunStats(database, { from: '2026-11-11T00:00:00Z', to: '2026-11-10T00:00:00Z' })).rejects.toMatchObject({ field: 'from' });
    await expect(getRunStats(database, { from: '2025-01-01T00:00:00Z', to: '2026-11-10T00:00:00Z', bucket: '5m' })).rejects.toMatchObject({ field: 'bucket' });
  });
});

describe('watching a run', () => {
  it('streams progress read from Postgres until the run ends', async () => {
    const { database } = await useTestDatabase();
    const { cache } = await useTestRedisCache();
    const strategy = fakeStrategy({ name: 'watched', keys: Array.from({ length: 800 }, (_, i) => `w:${i}`), count: true, value: async (k) => { await sleep(5); return k; } });
    const warmer = await testWarmer(database, cache, [strategy]);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, concurrency: 2 });
    const events: RunEvent[] = [];
    for await (const event of watchRun(database, run.runId, new AbortController().signal, 100)) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'end', run: { status: 'succeeded', warmed: 800 } });
    const progress = events.filter((e) => e.type === 'progress' && e.run.progress?.current);
    expect(progress.length).toBeGreaterThan(1);
    const done = progress.map((e) => e.run.progress!.current!.done);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1]!)).toBe(true);
    expect(progress[0]!.run.progress!.current!.expected).toBe(800);
    await expect(watchRun(database, '00000000-0000-4000-8000-000000000009', new AbortController().signal).next()).rejects.toMatchObject({ status: 404 });
  });
});
