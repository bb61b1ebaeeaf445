import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MemoryCache } from '@/server/cache/memory-cache';
import { getRunGovernor } from '@/server/runs/run-governor';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { testWarmer } from '../../support/warmer';

const KEYS = 200_000;

/**
 * A strategy whose batches are real queries on the test's Postgres (its own pool, as a shop's
 * read path would be), each taking ~20 ms of database time: the latency the governor steers by.
 */
function probeStrategy(shop: postgres.Sql) {
  const strategy = fakeStrategy({ name: 'probe', keys: Array.from({ length: KEYS }, (_, i) => `probe:${i + 1}`), pageSize: 1000, batch: true });
  strategy.loadMany = async (keys) => {
    const ids = keys.map((k) => Number(k.slice('probe:'.length)));
    const rows = await shop<{ id: number; v: string }[]>`
      select p.id, p.v from gov_probe p, (select pg_sleep(0.02)) s where p.id = any(${ids}::int[])`;
    const byId = new Map(rows.map((r) => [r.id, JSON.stringify(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  };
  return strategy;
}

describe('the load governor on real Postgres', () => {
  it('lowers a gentle run\'s concurrency when the database slows down under added load, and says why', async () => {
    const { database, url } = await useTestDatabase();
    await database.rows(sql`create table gov_probe (id int primary key, v text not null)`);
    await database.rows(sql`insert into gov_probe select i, md5(i::text) from generate_series(1, ${KEYS}) i`);
    await database.rows(sql`update settings set batch_size = 20`);
    const shop = postgres(url, { max: 40, onnotice: () => {} });
    const blocker = postgres(url, { max: 1, onnotice: () => {} });
    onTestFinished(async () => {
      await shop.end({ timeout: 1 });
      await blocker.end({ timeout: 1 });
    });
    const warmer = await testWarmer(database, new MemoryCache({ maxBytes: 256 * 1024 * 1024 }), [probeStrategy(shop)]);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { all: true }, concurrency: 24, profile: 'gentle' });

    // Unloaded, the governor climbs from its floor (2 of 24).
    const climbed = async () => (await getRunGovernor(database, run.runId)).samples.some((s) => s.concurrency >= 5);
    for (let i = 0; i < 60 && !(await climbed()); i++) await sleep(250);
    expect(await climbed()).toBe(true);
    const before = (await getRunGovernor(database, run.runId)).samples;
    const peak = Math.max(...before.map((s) => s.concurrency));

    // Added load, sustained: for 5 s a session holds the probe table's lock a second at a time with
    // only 10 ms between (as a shop's bulk writes or DDL would), so nearly every batch query waits
    // about a second behind it. (Short holds with longer gaps would not do: the governor decides on a
    // window's median, and a few stalled loads among many fast ones leave it where it is.)
    const loadedAt = new Date();
    for (let i = 0; i < 5; i++) {
      await blocker.begin(async (tx) => {
        await tx`lock table gov_probe in access exclusive mode`;
        await sleep(1000);
      });
      await sleep(10);
    }
    await sleep(2500); // the decision after the lock is recorded within a sample interval
    await warmer.cancelRun(run.runId, 'test');
    await run.done;

    const governor = await getRunGovernor(database, run.runId);
    expect(governor.profile).toBe('gentle');
    const after = governor.samples.filter((s) => new Date(s.at) > loadedAt);
    const backedOff = after.filter((s) => /over its budget/.test(s.reason));
    expect(backedOff.length, JSON.stringify(governor.samples.map((s) => [s.concurrency, s.batchMs, s.reason]))).toBeGreaterThan(0);
    expect(Math.min(...after.map((s) => s.concurrency))).toBeLessThan(peak);
    expect(Math.max(...backedOff.map((s) => s.batchMs ?? 0))).toBeGreaterThan(2 * (backedOff[0]!.baselineMs ?? Infinity));
    // Never above the ceiling, never below the floor.
    for (const s of governor.samples) {
      expect(s.concurrency).toBeLessThanOrEqual(24);
      expect(s.concurrency).toBeGreaterThanOrEqual(2);
    }
    const [{ n }] = (await database.rows<{ n: number }>(sql`select count(*)::int as n from run_governor_samples where run_id = ${run.runId}::uuid`)) as [{ n: number }];
    expect(n).toBe(governor.samples.length);
  });

  it('keeps a fixed run at its ceiling whatever the latency, sampling it all the same', async () => {
    const { database, url } = await useTestDatabase();
    await database.rows(sql`create table gov_probe (id int primary key, v text not null)`);
    await database.rows(sql`insert into gov_probe select i, md5(i::text) from generate_series(1, ${KEYS}) i`);
    await database.rows(sql`update settings set batch_size = 20`);
    const shop = postgres(url, { max: 40, onnotice: () => {} });
    onTestFinished(() => shop.end({ timeout: 1 }));
    const warmer = await testWarmer(database, new MemoryCache({ maxBytes: 256 * 1024 * 1024 }), [probeStrategy(shop)]);
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { all: true }, concurrency: 12 });
    for (let i = 0; i < 40 && (await getRunGovernor(database, run.runId)).samples.length < 2; i++) await sleep(250);
    await warmer.cancelRun(run.runId, 'test');
    await run.done;
    const governor = await getRunGovernor(database, run.runId);
    expect(governor.profile).toBe('fixed');
    expect(governor.samples.length).toBeGreaterThanOrEqual(2);
    expect(new Set(governor.samples.map((s) => s.concurrency))).toEqual(new Set([12]));
  });
});
