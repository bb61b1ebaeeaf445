import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { productKey } from '@/server/contexts/catalog/product-key';
import { type Database, openPostgres } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { seedShop } from '@/server/db/seed/seed-shop';
import { parseLsn } from '@/server/db/shop-source';
import { getReadiness } from '@/server/status/readiness';
import { sleep } from '../support/fake-strategy';
import { startOwnPostgres } from '../support/own-servers';
import { startTestRuntime } from '../support/runtime';

/** Until the replica has replayed everything the primary had written when asked. */
async function caughtUp(primary: Database, replica: Database, timeoutMs = 15_000): Promise<void> {
  const [{ lsn }] = (await primary.rows<{ lsn: string }>(sql`select pg_current_wal_lsn()::text as lsn`)) as [{ lsn: string }];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await replica.rows<{ replayed: string }>(sql`select pg_last_wal_replay_lsn()::text as replayed`);
    if (parseLsn(row!.replayed) >= parseLsn(lsn)) return;
    if (Date.now() > deadline) throw new Error(`the replica did not catch up within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function runWarnings(database: Database, runId: string) {
  const [row] = await database.rows<{ warnings: { code: string; message: string }[] }>(sql`select warnings from runs where id = ${runId}::uuid`);
  return row!.warnings;
}

describe('read replica (a real streaming replica of an own Postgres)', () => {
  it('runs load from the replica within the lag bound, from the primary past it and while the replica is stopped, with a warning on the run', async (ctx) => {
    const primary = await startOwnPostgres();
    const url = await primary.createDatabase('kiln');
    const database = await openPostgres(url, 5);
    ctx.onTestFinished(() => database.close());
    await applyMigrations(database);
    await seedShop(database, { products: 60, seed: 42, now: new Date() });
    await database.rows(sql`insert into strategy_settings (strategy, enabled) values ('product_catalog', true)`);

    const standby = await startOwnPostgres({ standbyOf: primary });
    const replicaUrl = standby.databaseUrl('kiln');
    const replica = await openPostgres(replicaUrl, 2);
    ctx.onTestFinished(() => replica.close());
    await caughtUp(database, replica);
    const [{ recovery }] = (await replica.rows<{ recovery: boolean }>(sql`select pg_is_in_recovery() as recovery`)) as [{ recovery: boolean }];
    expect(recovery).toBe(true);

    // A change the replica does not see: its replay paused, a product renamed on the primary, and
    // about 2 MB of WAL written after it.
    await replica.rows(sql`select pg_wal_replay_pause()`);
    const [product] = await database.rows<{ id: number; name: string }>(sql`select id, name from products where status = 'active' order by id limit 1`);
    await database.rows(sql`update products set name = 'Renamed on the primary' where id = ${product!.id}`);
    await database.rows(sql`create table scratch as select repeat('x', 1000) as filler from generate_series(1, 2000)`);
    const key = productKey(product!.id);
    const env = { DATABASE_READ_URL: replicaUrl, KILN_REPLICA_CHECK_SECONDS: '1' };

    // 1. Within a generous bound: the run loads from the replica, which still has the old name.
    const generous = await startTestRuntime(database, { env: { ...env, KILN_REPLICA_MAX_LAG_BYTES: String(1024 ** 3) }, owner: 'replica:1' });
    const first = await generous.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['product_catalog'] } });
    const firstSummary = await first.done;
    expect(firstSummary.status).toBe('succeeded');
    expect(firstSummary.totals.warmed).toBeGreaterThan(20);
    expect(JSON.parse((await generous.cache.get(key))!)).toMatchObject({ id: product!.id, name: product!.name });
    expect(await runWarnings(database, first.runId)).toEqual([]);
    expect(generous.shopSource.status()).toMatchObject({ state: 'ok' });
    await generous.stop();

    // 2. Past a 64 KiB bound: the primary serves (the new name), and the run says why.
    const strict = await startTestRuntime(database, { env: { ...env, KILN_REPLICA_MAX_LAG_BYTES: String(64 * 1024) }, owner: 'replica:2' });
    const second = await strict.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['product_catalog'] } });
    const secondSummary = await second.done;
    expect(secondSummary.status).toBe('succeeded');
    expect(JSON.parse((await strict.cache.get(key))!)).toMatchObject({ id: product!.id, name: 'Renamed on the primary' });
    const lagging = await runWarnings(database, second.runId);
    expect(lagging.length).toBeGreaterThanOrEqual(1);
    expect(lagging[0]).toMatchObject({ code: 'replica_lagging' });
    expect(lagging[0]!.message).toMatch(/^The read replica was [\d.]+ MiB of WAL behind the primary \(bound 64\.0 KiB\): loaded from the primary \[product_catalog shard \d+\]$/);
    const readiness = await getReadiness(strict, 'req-1');
    expect(readiness.ready).toBe(true);
    expect(readiness.checks.replica).toMatchObject({ ok: false, detail: expect.stringMatching(/^passed over: [\d.]+ MiB behind/) });
    const metrics = await strict.metrics.render();
    expect(metrics).toMatch(/^kiln_replica_up 0$/m);
    await strict.stop();

    // 3. Replay resumed, the replica caught up, then stopped: the run loads from the primary and says so.
    await replica.rows(sql`select pg_wal_replay_resume()`);
    await caughtUp(database, replica);
    const third = await startTestRuntime(database, { env: { ...env, KILN_REPLICA_MAX_LAG_BYTES: String(1024 ** 3) }, owner: 'replica:3' });
    expect(await third.shopSource.check()).toMatchObject({ state: 'ok' });
    expect((await getReadiness(third, 'req-2')).checks.replica).toMatchObject({ ok: true, detail: expect.stringMatching(/^in use, /) });
    await standby.stop();
    await sleep(1100); // past the check interval: the next shard measures again
    const thirdRun = await third.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['product_catalog'] } });
    const thirdSummary = await thirdRun.done;
    expect(thirdSummary.status).toBe('succeeded');
    expect(thirdSummary.totals.failed).toBe(0);
    expect(JSON.parse((await third.cache.get(key))!)).toMatchObject({ name: 'Renamed on the primary' });
    const unreachable = await runWarnings(database, thirdRun.runId);
    expect(unreachable[0]).toMatchObject({ code: 'replica_unreachable' });
    expect(unreachable[0]!.message).not.toMatch(/Failed query/);
    expect(unreachable[0]!.message).toMatch(/^The read replica did not answer \(.+\): loaded from the primary \[product_catalog shard \d+\]$/);
    expect((await getReadiness(third, 'req-3')).ready).toBe(true);
  }, 60_000);
});
