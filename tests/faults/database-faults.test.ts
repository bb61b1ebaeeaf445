import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '@/server/db/client';
import { applyMigrations } from '@/server/db/migrate';
import { fakeStrategy, sleep } from '../support/fake-strategy';
import { startOwnPostgres } from '../support/own-servers';
import { rawRedis } from '../support/redis';
import { figure } from '../support/scenario-reporter';
import { startTestRuntime } from '../support/runtime';
import { useTestRedisCache } from '../support/warmer';

/** A Kiln database on a Postgres server of the test's own, which the test may stop. */
async function ownDatabase(ctx: { onTestFinished: (fn: () => Promise<void>) => void }) {
  const server = await startOwnPostgres();
  const url = await server.createDatabase('kiln');
  const database = await openPostgres(url, 5);
  ctx.onTestFinished(() => database.close());
  await applyMigrations(database);
  return { server, database };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

async function waitForStatus(database: Database, runId: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await database.rows<{ status: string }>(sql`select status from runs where id = ${runId}::uuid`).catch(() => []);
    if (row && row.status !== 'running') return row.status;
    if (Date.now() > deadline) throw new Error(`run ${runId} still running after ${timeoutMs} ms`);
    await sleep(200);
  }
}

describe('Postgres faults', () => {
  it('Postgres unreachable while a strategy reads its source: keys fail with a clear error, nothing partial or empty is cached', async (ctx) => {
    const { server, database } = await ownDatabase(ctx);
    const { cache, prefix } = await useTestRedisCache('pg-down-source');
    // A strategy whose every value is a real query to the shop database.
    const source = fakeStrategy({
      name: 'db_source',
      keys: Array.from({ length: 2000 }, (_, i) => `Item:${i}`),
      value: async (key) => {
        const [row] = await database.rows<{ v: string }>(sql`select pg_sleep(0.01), json_build_object('key', ${key}::text, 'complete', true)::text as v`);
        return row!.v;
      },
    });
    const { logger, lines } = capturingLogger();
    const { warmer } = await startTestRuntime(database, { cache, logger, strategies: [source], owner: 'fault:1' });
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, concurrency: 4 });
    await sleep(1500);
    await server.stop();
    await sleep(3000); // several shard heartbeats (every 0.5 s) and many loads fail meanwhile
    await server.start();
    const summary = await run.done;

    expect(summary.status).toBe('partial');
    expect(summary.totals.warmed).toBeGreaterThan(0);
    expect(summary.totals.failed).toBeGreaterThan(0);
    expect(summary.totals.warmed + summary.totals.failed + summary.totals.skipped).toBe(summary.totals.total);
    const [failure] = await database.rows<{ error: string }>(sql`select error from run_failures limit 1`);
    expect(failure!.error).toMatch(/^the data source is unreachable \(/);

    // Exactly the warmed keys are in the cache, each a complete value.
    const redis = rawRedis();
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      expect(keys.length).toBe(summary.totals.warmed);
      const values = keys.length ? await redis.mget(...keys) : [];
      for (const value of values) expect(JSON.parse(value!)).toMatchObject({ complete: true });
    } finally {
      redis.disconnect();
    }
    expect(await waitForStatus(database, run.runId, 10_000)).toBe('partial');
    expect(lines.some((l) => l.msg === 'Shard heartbeat failed; the shard goes on until its fence')).toBe(true);
    figure(ctx.task, 'warmed', summary.totals.warmed);
    figure(ctx.task, 'failedWhileDown', summary.totals.failed);
  });

  it('Postgres unreachable when the stats are saved: logged in full, retried, and saved once it is back', async (ctx) => {
    const { server, database } = await ownDatabase(ctx);
    const { cache } = await useTestRedisCache('pg-down-save');
    const source = fakeStrategy({
      name: 'no_db_source',
      keys: Array.from({ length: 600 }, (_, i) => `k:${i}`),
      value: async (key) => {
        await sleep(10);
        return JSON.stringify({ key });
      },
    });
    const { logger, lines } = capturingLogger();
    const { warmer } = await startTestRuntime(database, { cache, logger, strategies: [source], owner: 'fault:2' });
    const run = await warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true }, concurrency: 2 });
    // Once a worker is warming the shard (its keys need no database), the database goes away.
    for (let i = 0; i < 100; i++) {
      const [shard] = await database.rows<{ status: string }>(sql`select status from run_shards where run_id = ${run.runId}::uuid`);
      if (shard?.status === 'running') break;
      await sleep(50);
    }
    await server.stop();
    const downAt = Date.now();
    // The loads do not need Postgres: the run finishes its keys while the database is down.
    await sleep(7000);
    await server.start();
    const summary = await run.done;
    const savedAfter = (Date.now() - downAt) / 1000;
    expect(summary).toMatchObject({ status: 'succeeded', totals: { warmed: 600 } });
    // A connection to a database that went away may fail the save, or hang until it is back: either
    // way the payload is in the log.
    const failed = lines.find((l) => /^Saving the result of no_db_source shard 0 (failed|is waiting for the database)/.test(String(l.msg)));
    expect(failed, JSON.stringify(lines.map((l) => l.msg))).toBeDefined();
    expect(failed!.runId).toBe(run.runId);
    expect(failed!.payload).toMatchObject({ status: 'done', warmed: 600, total: 600 });
    expect(lines.some((l) => String(l.msg).startsWith('Saved the result of no_db_source shard 0 after the database came back'))).toBe(true);
    const [row] = await database.rows<{ status: string; warmed: number; strategies: number }>(
      sql`select status, warmed::int, (select count(*)::int from run_strategies where run_id = runs.id) as strategies from runs where id = ${run.runId}::uuid`,
    );
    expect(row).toEqual({ status: 'succeeded', warmed: 600, strategies: 1 });
    figure(ctx.task, 'savedSecondsAfterOutageStart', savedAfter.toFixed(1));
  });
});
