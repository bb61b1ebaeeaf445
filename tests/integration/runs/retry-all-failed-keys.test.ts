import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as runRetry from '@/app/api/runs/[id]/retry/route';
import * as runDetail from '@/app/api/runs/[id]/route';
import * as runs from '@/app/api/runs/route';
import type { Database } from '@/server/db/client';
import { listStrategyViews } from '@/server/strategies/strategy-views';
import { request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { useTestRuntime } from '../../support/runtime';

const id = (value: string) => ({ params: Promise.resolve({ id: value }) });

async function waitForRun(database: Database, runId: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const [row] = await database.rows<{ status: string }>(sql`select status from runs where id = ${runId}::uuid`);
    if (row && row.status !== 'running') return row.status;
    await sleep(50);
  }
  throw new Error(`run ${runId} did not end`);
}

const KEYS = Array.from({ length: 2500 }, (_, i) => `bad:${i}`);

describe('retrying failed keys', () => {
  it('retries every failed key of a run with 2,500 failures, and only a retry of them all clears the strategy', { timeout: 120_000 }, async () => {
    const { database } = await useTestDatabase();
    let broken = true;
    const seen = new Set<string>();
    const flaky = fakeStrategy({
      name: 'flaky_bulk',
      keys: KEYS,
      batch: true,
      value: (key) => {
        if (broken) throw new Error(`row ${key} is broken`);
        seen.add(key);
        return key;
      },
    });
    const runtime = await useTestRuntime(database, { strategies: [flaky] });
    const operator = await signedIn(database, 'operator');

    const failedRun = (await (await runs.POST(request('/api/runs', { session: operator.session, body: { scope: { strategies: ['flaky_bulk'] } } }), {} as never)).json()).runId as string;
    expect(await waitForRun(database, failedRun)).toBe('failed');
    const [stored] = await database.rows<{ n: number; distinct: number }>(sql`select count(*)::int as n, count(distinct key)::int as distinct from run_failures where run_id = ${failedRun}::uuid`);
    expect(stored).toEqual({ n: 2500, distinct: 2500 });
    const detail = (await (await runDetail.GET(request(`/api/runs/${failedRun}`, { session: operator.session }), id(failedRun))).json()).run;
    expect(detail.failureCount).toBe(2500);
    expect(detail.failures).toHaveLength(1000); // the page lists the first 1,000; the count and the retry cover all

    // A partial retry (here: 600 of the keys, as a cancelled or cut retry leaves it) succeeds, yet
    // the strategy keeps its failing run as its last run: 1,900 keys were never retried.
    broken = false;
    const partial = await runtime.warmer.startRun({ trigger: 'retry', triggeredBy: operator.email, scope: { strategies: ['flaky_bulk'] }, keyFilter: { flaky_bulk: KEYS.slice(0, 600) }, retryOf: failedRun });
    expect((await partial.done).totals).toMatchObject({ total: 600, warmed: 600, failed: 0 });
    let view = (await listStrategyViews(database, runtime.registry)).find((v) => v.name === 'flaky_bulk')!;
    expect(view.lastRun).toMatchObject({ runId: failedRun, failed: 2500, successRate: 0 });

    // The retry has a manual run's options: a dry run counts every failed key and writes nothing.
    const bad = await runRetry.POST(request(`/api/runs/${failedRun}/retry`, { session: operator.session, body: { dryRun: 'yes' } }), id(failedRun));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.field).toBe('dryRun');
    const dry = await (await runRetry.POST(request(`/api/runs/${failedRun}/retry`, { session: operator.session, body: { dryRun: true } }), id(failedRun))).json();
    expect(dry).toMatchObject({ keys: 2500 });
    await waitForRun(database, dry.runId);
    const [dryRow] = await database.rows<{ dry_run: boolean; total: number; warmed: number }>(sql`select dry_run, total::int, warmed::int from runs where id = ${dry.runId}::uuid`);
    expect(dryRow).toEqual({ dry_run: true, total: 2500, warmed: 0 });
    expect(await runtime.cache.get('bad:2499')).toBeNull();

    seen.clear();
    const response = await runRetry.POST(request(`/api/runs/${failedRun}/retry`, { session: operator.session, body: {} }), id(failedRun));
    expect(response.status).toBe(202);
    const retried = await response.json();
    expect(retried).toMatchObject({ strategies: ['flaky_bulk'], keys: 2500 });
    expect(await waitForRun(database, retried.runId)).toBe('succeeded');
    const [row] = await database.rows<{ trigger: string; retry_of: string; total: number; warmed: number; failed: number }>(
      sql`select trigger, retry_of::text, total::int, warmed::int, failed::int from runs where id = ${retried.runId}::uuid`,
    );
    expect(row).toEqual({ trigger: 'retry', retry_of: failedRun, total: 2500, warmed: 2500, failed: 0 });
    expect(seen.size).toBe(2500);
    expect(await runtime.cache.get('bad:2499')).toBe('bad:2499');
    view = (await listStrategyViews(database, runtime.registry)).find((v) => v.name === 'flaky_bulk')!;
    expect(view.lastRun).toMatchObject({ runId: retried.runId, successRate: 1 });
  });
});
