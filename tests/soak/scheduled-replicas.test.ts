import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedShop } from '@/server/db/seed/seed-shop';
import { type AppProcess, api, apiToken, startApp } from '../support/app-process';
import { useTestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { sleep } from '../support/fake-strategy';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { figure } from '../support/scenario-reporter';

/** Waits for the next whole minute plus a few seconds, so a '* * * * *' slot has just fired. */
async function untilAfterNextMinute(extraMs = 5000): Promise<void> {
  const now = Date.now();
  await sleep(60_000 - (now % 60_000) + extraMs);
}

describe('schedules on real minutes, several real processes', () => {
  it('three processes: a "* * * * *" schedule fires exactly once per slot for 5 minutes, no duplicates, no gaps', async (ctx) => {
    const { database, url } = await useTestDatabase({ shop: true });
    const prefix = uniquePrefix('soak-cron');
    ctx.onTestFinished(() => deleteKeysWithPrefix(prefix).then(() => undefined));
    const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix, SCHEDULER_ENABLED: 'true' };
    const apps: AppProcess[] = [];
    for (let i = 0; i < 3; i++) apps.push(await startApp(env, ctx.onTestFinished));
    const token = await apiToken(apps[0]!);
    // Only the test's schedule: the defaults are paused so their slots cannot interleave.
    await database.rows(sql`update schedules set enabled = false, updated_at = now()`);
    const created = await api(apps[1]!, token, 'POST', '/api/schedules', { name: 'Every minute', cron: '* * * * *', timezone: 'UTC', scope: { strategies: ['hot_products'] } });
    expect(created.status).toBe(201);
    const scheduleId = created.body.schedule.id as number;
    const createdAt = Date.now();
    await sleep(16_000); // every process has reloaded (they poll every 5 s)
    const firstSlot = Math.ceil((Date.now()) / 60_000) * 60_000;
    await sleep(firstSlot + 5 * 60_000 + 10_000 - Date.now());

    const fires = await database.rows<{ slot: number; outcome: string; claimed_by: string; run_id: string | null }>(sql`
      select (extract(epoch from slot_at) * 1000)::float8 as slot, outcome, claimed_by, run_id::text as run_id
      from schedule_fires where schedule_id = ${scheduleId} and slot_at >= to_timestamp(${firstSlot / 1000}) and slot_at < to_timestamp(${(firstSlot + 5 * 60_000) / 1000})
      order by slot_at`);
    expect(fires.map((f) => f.slot)).toEqual([0, 1, 2, 3, 4].map((i) => firstSlot + i * 60_000));
    expect(fires.every((f) => f.outcome === 'started' && f.run_id)).toBe(true);
    const runs = await database.rows<{ n: number }>(sql`
      select count(*)::int as n from runs where schedule_id = ${scheduleId} and trigger = 'schedule'
        and created_at >= to_timestamp(${firstSlot / 1000}) and created_at < to_timestamp(${(firstSlot + 5 * 60_000) / 1000})`);
    expect(runs[0]!.n).toBe(5);
    figure(ctx.task, 'slots', fires.length);
    figure(ctx.task, 'claimedBy', [...new Set(fires.map((f) => f.claimed_by.split(':')[1]))].join('/'));
    figure(ctx.task, 'minutesWaited', ((Date.now() - createdAt) / 60_000).toFixed(1));
  });

  it('SIGKILL during a scheduled run: its shard is retried on the surviving process and the run goes on; the next slot sees it running', async (ctx) => {
    const { database, url } = await useTestDatabase({ shop: true });
    await seedShop(database, { products: 20_000, seed: 5, reset: true });
    await database.rows(sql`update settings set batch_size = 1 where id = 1`);
    await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);
    const prefix = uniquePrefix('soak-kill');
    ctx.onTestFinished(() => deleteKeysWithPrefix(prefix).then(() => undefined));
    const env = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, CACHE_KEY_PREFIX: prefix, SCHEDULER_ENABLED: 'true' };
    const apps = [await startApp(env, ctx.onTestFinished), await startApp(env, ctx.onTestFinished)];
    const token = await apiToken(apps[0]!);
    await database.rows(sql`update schedules set enabled = false, updated_at = now()`);
    const created = await api(apps[0]!, token, 'POST', '/api/schedules', { name: 'Catalog every minute', cron: '* * * * *', timezone: 'UTC', scope: { strategies: ['product_catalog'] }, concurrency: 1 });
    const scheduleId = created.body.schedule.id as number;
    await sleep(16_000);
    await untilAfterNextMinute(8000);
    const [first] = await database.rows<{ id: string; worker: string }>(sql`
      select r.id::text as id, s.worker from runs r join run_shards s on s.run_id = r.id
      where r.schedule_id = ${scheduleId} and r.status = 'running' and s.status = 'running' limit 1`);
    expect(first).toBeDefined();
    const victim = apps.find((a) => first!.worker.endsWith(`:${a.process.pid}`))!;
    expect(victim).toBeDefined();
    victim.process.kill('SIGKILL');
    await new Promise((r) => victim.process.once('exit', r));
    // The next slot: the survivor claims it, and finds the run still going (its shard retried on the survivor).
    await untilAfterNextMinute(10_000);
    const [run] = await database.rows<{ status: string; retried: number }>(sql`
      select r.status, (select count(*)::int from run_shards s where s.run_id = r.id and jsonb_array_length(s.retries) > 0) as retried
      from runs r where r.id = ${first!.id}::uuid`);
    expect(run!.status).toBe('running');
    expect(run!.retried).toBe(1);
    const fires = await database.rows<{ outcome: string; run_id: string | null }>(sql`select outcome, run_id::text as run_id from schedule_fires where schedule_id = ${scheduleId} order by slot_at desc limit 1`);
    expect(fires[0]!.outcome).toBe('skipped_overlap');
    const survivor = apps.find((a) => a !== victim)!;
    await api(survivor, token, 'POST', `/api/runs/${first!.id}/cancel`, {});
    figure(ctx.task, 'retriedRun', first!.id.slice(0, 8));
    figure(ctx.task, 'nextSlot', fires[0]!.outcome);
  });
});
