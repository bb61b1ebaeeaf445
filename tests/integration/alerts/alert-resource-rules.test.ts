import { eq, sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openPostgres } from '@/server/db/client';
import { coverageSamples, keyspaceSamples, runGovernorSamples, runs } from '@/server/db/schema';
import { alertScenario, insertRun, openIncidents } from '../../support/alert-scenario';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { startTestRuntime } from '../../support/runtime';

const keys = Array.from({ length: 20 }, (_, i) => `fake:${i}`);
const env = { KILN_ALERT_RETRY_SECONDS: '1' };

describe('alert rules on what Kiln leans on, against a real webhook receiver', () => {
  it('a run that falls back from the read replica to the primary opens replica_fallback; a later run that does not closes it', async () => {
    const { database, url } = await useTestDatabase();
    // The "replica" is the primary itself (its own pool): not a standby in recovery, so its lag
    // cannot be measured and the shard loads from the primary, recording why on the run.
    const replica = await openPostgres(url, 2);
    onTestFinished(() => replica.close());
    const withReplica = await startTestRuntime(database, { readReplica: replica, strategies: [fakeStrategy({ keys, batch: true })], env });
    const alerts = await alertScenario(database, withReplica);
    const run = await withReplica.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['fake'] } });
    expect((await run.done).status).toBe('succeeded');
    // The warning is written beside the run, not in its end: wait for it.
    for (let i = 0; i < 50; i++) {
      const [row] = await database.db.select({ warnings: runs.warnings }).from(runs).where(eq(runs.id, run.runId));
      if (row!.warnings.length) break;
      await sleep(100);
    }
    await alerts.tick();
    await alerts.tick();
    const opened = await alerts.next(1);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ event: 'incident.opened', rule: 'replica_fallback', subject: 'replica', runId: run.runId, strategy: 'fake' });
    expect(String(opened[0]!.text)).toContain('not a standby in recovery');
    // Another run falling back changes nothing: the incident is open.
    const again = await withReplica.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['fake'] } });
    expect((await again.done).status).toBe('succeeded');
    await sleep(500);
    await alerts.tick();
    expect(await alerts.next(0)).toEqual([]);
    await withReplica.stop();

    // The same database without a replica (DATABASE_READ_URL removed): runs load without falling back.
    const primaryOnly = await startTestRuntime(database, { strategies: [fakeStrategy({ keys, batch: true })], env });
    const clean = await primaryOnly.warmer.startRun({ trigger: 'manual', triggeredBy: 'test', scope: { strategies: ['fake'] } });
    expect((await clean.done).status).toBe('succeeded');
    await primaryOnly.alerts.evaluator.tick();
    const resolved = await alerts.next(1);
    expect(resolved).toMatchObject([{ event: 'incident.resolved', rule: 'replica_fallback', incidentId: opened[0]!.incidentId, runId: clean.runId }]);
    expect(await openIncidents(database)).toEqual([]);
  });

  it('a gentle run held at its governor floor for the whole window opens governor_floor; a climb closes it, shorter spells and fixed runs do not count', async () => {
    const { database } = await useTestDatabase();
    const runtime = await startTestRuntime(database, { env: { ...env, KILN_ALERT_GOVERNOR_FLOOR_MINUTES: '1' } });
    const alerts = await alertScenario(database, runtime);
    const sample = (runId: string, agoMs: number, concurrency: number, ceiling = 20) =>
      database.db.insert(runGovernorSamples).values({ runId, strategy: 'fake', shard: 0, at: new Date(Date.now() - agoMs), concurrency, ceiling, reason: 'test' });
    // Held: at the floor (2 of 20) from before the window (70 s ago) to now.
    const held = await insertRun(database, { profile: 'gentle', ageMs: 120_000, concurrency: 20 });
    for (const ago of [70_000, 45_000, 25_000, 5_000]) await sample(held, ago, 2);
    // At the floor for 40 s only: it was at 8 when the window began.
    const brief = await insertRun(database, { profile: 'gentle', ageMs: 120_000, concurrency: 20 });
    await sample(brief, 70_000, 8);
    for (const ago of [40_000, 20_000, 5_000]) await sample(brief, ago, 2);
    // A max run at its floor the whole window counts too; a fixed one never moves and is not judged.
    const max = await insertRun(database, { profile: 'max', ageMs: 120_000, concurrency: 20 });
    for (const ago of [70_000, 30_000, 5_000]) await sample(max, ago, 2);
    const fixed = await insertRun(database, { profile: 'fixed', ageMs: 120_000, concurrency: 1 });
    for (const ago of [70_000, 30_000, 5_000]) await sample(fixed, ago, 1, 1);

    await alerts.tick();
    const opened = await alerts.next(2);
    expect(opened).toHaveLength(2);
    expect(opened.map((p) => p.subject).sort()).toEqual([`run:${held}`, `run:${max}`].sort());
    const heldAlert = opened.find((p) => p.runId === held)!;
    expect(heldAlert).toMatchObject({ event: 'incident.opened', rule: 'governor_floor', severity: 'warning', strategy: 'fake' });
    expect(String(heldAlert.text)).toContain('kept 2 of at most 20 loads in flight');

    // The governor climbs: resolved. The max run ends: resolved too.
    await sample(held, 0, 5);
    await database.db.update(runs).set({ status: 'cancelled', finishedAt: new Date() }).where(eq(runs.id, max));
    await alerts.tick();
    const resolved = await alerts.next(2);
    expect(resolved.map((p) => `${String(p.event)} ${String(p.runId)}`).sort()).toEqual([`incident.resolved ${held}`, `incident.resolved ${max}`].sort());
    expect(String(resolved.find((p) => p.runId === held)!.text)).toContain('climbed above its floor');
    expect(await openIncidents(database)).toEqual([]);
  });

  it('a pruning pass that fails opens prune_failed with its error; the next successful pass closes it', async () => {
    const { database } = await useTestDatabase();
    const runtime = await startTestRuntime(database, { env });
    const alerts = await alertScenario(database, runtime);
    // An old run to prune, and a table that refuses the delete (as a lock timeout or a full disk would).
    await insertRun(database, { status: 'failed', ageMs: 500 * 86_400_000, durationMs: 1000 });
    await database.rows(sql`create function refuse_delete() returns trigger language plpgsql as $$ begin raise exception 'could not extend file: No space left on device'; end $$`);
    await database.rows(sql`create trigger refuse_delete before delete on runs for each row execute function refuse_delete()`);
    await expect(runtime.retention.runNow()).rejects.toThrow();
    await alerts.tick();
    await alerts.tick();
    const opened = await alerts.next(1);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ event: 'incident.opened', rule: 'prune_failed', subject: 'retention', severity: 'warning' });
    expect(String(opened[0]!.text)).toContain('No space left on device');
    expect(String(opened[0]!.url)).toMatch(/\/settings$/);

    await database.rows(sql`drop trigger refuse_delete on runs`);
    const pass = await runtime.retention.runNow();
    expect(pass.skipped).toBe(false);
    await alerts.tick();
    expect(await alerts.next(1)).toMatchObject([{ event: 'incident.resolved', rule: 'prune_failed', incidentId: opened[0]!.incidentId }]);
    expect((await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`))[0]!.n).toBe(0);
  });

  it('evictions between two keyspace or coverage samples open cache_evictions; a later sample without any closes it', async () => {
    const { database } = await useTestDatabase();
    const runtime = await startTestRuntime(database, { env });
    const alerts = await alertScenario(database, runtime);
    const keyspace = (agoMs: number, evictedKeys: number, uptimeSeconds: number) =>
      database.db.insert(keyspaceSamples).values({ sampledAt: new Date(Date.now() - agoMs), hits: 100, misses: 10, expiredKeys: 0, evictedKeys, uptimeSeconds });
    const coverage = (agoMs: number, strategy: string, evictedKeys: number) =>
      database.db.insert(coverageSamples).values({ strategy, sampledAt: new Date(Date.now() - agoMs), warmSetSize: 10, sampled: 10, present: 10, ttlHistogram: {}, evictedKeys });

    await keyspace(180_000, 5, 1000);
    await keyspace(120_000, 5, 1060);
    await alerts.tick();
    expect(await alerts.next(0)).toEqual([]);

    await keyspace(60_000, 12, 1120);
    await alerts.tick();
    await alerts.tick();
    const opened = await alerts.next(1);
    expect(opened).toMatchObject([{ event: 'incident.opened', rule: 'cache_evictions', subject: 'cache' }]);
    expect(String(opened[0]!.text)).toContain('7 keys were evicted');

    // A newer coverage sample (the same counter, per strategy) without new evictions closes it.
    await coverage(50_000, 'hot_products', 12);
    await coverage(30_000, 'hot_products', 12);
    await alerts.tick();
    expect(await alerts.next(1)).toMatchObject([{ event: 'incident.resolved', rule: 'cache_evictions', incidentId: opened[0]!.incidentId }]);

    // Redis restarted (a smaller uptime): its counter starts again, and 3 evictions since are new ones.
    await keyspace(10_000, 3, 40);
    await alerts.tick();
    const restarted = await alerts.next(1);
    expect(restarted).toMatchObject([{ event: 'incident.opened', rule: 'cache_evictions' }]);
    expect(String(restarted[0]!.text)).toContain('3 keys were evicted');
    await keyspace(1_000, 3, 49);
    await alerts.tick();
    expect(await alerts.next(1)).toMatchObject([{ event: 'incident.resolved', rule: 'cache_evictions' }]);
  });
});
