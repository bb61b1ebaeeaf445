import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as runs from '@/app/api/runs/route';
import * as runDetail from '@/app/api/runs/[id]/route';
import * as stats from '@/app/api/stats/route';
import * as strategies from '@/app/api/strategies/route';
import type { StrategyView } from '@/lib/api/strategies';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrationsFolder } from '@/server/db/client';
import { request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';

describe('the success rate rule (fresh skips are not failures)', () => {
  it('gives an only-missing run whose keys are all fresh no rate, and keeps the strategy out of the alert and the chart', async () => {
    const { database } = await useTestDatabase({ shop: true });
    const runtime = await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    const first = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['hot_products'] } });
    const warmed = await first.done;
    expect(warmed.status).toBe('succeeded');
    expect(warmed.successRate).toBe(1);

    // The default "Incremental hot data" schedule: only missing, right after a full warm.
    const second = await runtime.warmer.startRun({ trigger: 'schedule', triggeredBy: 'Incremental hot data', scope: { strategies: ['hot_products'] }, onlyMissing: true });
    const fresh = await second.done;
    expect(fresh.status).toBe('succeeded');
    expect(fresh.totals).toMatchObject({ warmed: 0, failed: 0 });
    expect(fresh.totals.skipped).toBe(warmed.totals.warmed);
    expect(fresh.successRate).toBeNull();

    const list = await (await runs.GET(request('/api/runs', operator), undefined as never)).json();
    expect(list.items[0]).toMatchObject({ id: second.runId, successRate: null });
    const detail = await (await runDetail.GET(request(`/api/runs/${second.runId}`, operator), { params: Promise.resolve({ id: second.runId }) })).json();
    expect(detail.run.results[0]).toMatchObject({ strategy: 'hot_products', successRate: null, skipped: fresh.totals.skipped });

    const views: StrategyView[] = (await (await strategies.GET(request('/api/strategies', operator), undefined as never)).json()).strategies;
    const hot = views.find((s) => s.name === 'hot_products')!;
    expect(hot.lastRun).toMatchObject({ runId: second.runId, successRate: null });
    expect(hot.recent.map((r) => r.successRate)).toEqual([1, null]);

    // Both runs in one bucket: the rate is the first run's 100%, not 50% (the skips would have halved it).
    const body = await (await stats.GET(request('/api/stats?bucket=1d', operator), undefined as never)).json();
    const bucket = body.buckets.find((b: { strategy: string }) => b.strategy === 'hot_products');
    expect(bucket).toMatchObject({ runs: 2, successRate: 1, failed: 0 });
  });

  it('recomputes the stored history when the database is upgraded', async () => {
    const { database } = await useTestDatabase();
    const migration = readMigrationFiles({ migrationsFolder: migrationsFolder() }).find((m) => m.sql.some((s) => s.includes('UPDATE "run_strategies" SET "success_rate"')));
    expect(migration).toBeDefined();
    const [run] = await database.rows<{ id: string }>(sql`
      insert into runs (trigger, triggered_by, scope, strategies, concurrency, owner, status)
      values ('schedule', 'test', '{"all": true}', '{a,b,c}', 10, 'test', 'succeeded') returning id::text as id`);
    // Rows as the old rule stored them: warmed / total, 0 when every key was skipped.
    await database.rows(sql`
      insert into run_strategies (run_id, strategy, position, outcome, trigger, priority, ttl_seconds, total, warmed, skipped, failed, success_rate, started_at, finished_at, duration_ms)
      values (${run!.id}::uuid, 'a', 0, 'succeeded', 'schedule', 1, 60, 100, 0, 100, 0, 0, now(), now(), 1),
             (${run!.id}::uuid, 'b', 1, 'partial', 'schedule', 1, 60, 100, 45, 50, 5, 0.45, now(), now(), 1),
             (${run!.id}::uuid, 'c', 2, 'failed', 'schedule', 1, 60, 10, 0, 0, 10, 0, now(), now(), 1)`);
    for (const statement of migration!.sql.filter((s) => s.startsWith('--') || s.includes('UPDATE'))) {
      await database.rows(sql.raw(statement));
    }
    const rows = await database.rows<{ strategy: string; success_rate: number | null }>(sql`select strategy, success_rate from run_strategies order by strategy`);
    expect(rows).toEqual([
      { strategy: 'a', success_rate: null },
      { strategy: 'b', success_rate: 0.9 },
      { strategy: 'c', success_rate: 0 },
    ]);
  });
});
