import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { spawnTsChild } from '../../support/child-process';
import { useTestDatabase } from '../../support/db';
import { TEST_REDIS_URL } from '../../support/env';
import { fakeStrategy } from '../../support/fake-strategy';
import { testWarmer, useTestRedisCache } from '../../support/warmer';

const CHILD = 'tests/support/warm-child.ts';

describe('runs across real processes', () => {
  it('lets exactly one of two processes warm a strategy asked of both at the same moment', async () => {
    const { url, database } = await useTestDatabase();
    const { prefix } = await useTestRedisCache('two-procs');
    const args = ['--db', url, '--redis', TEST_REDIS_URL, '--prefix', prefix, '--keys', '40', '--delay', '10'];
    const a = spawnTsChild(CHILD, args);
    const b = spawnTsChild(CHILD, args);
    await Promise.all([a.waitFor('ready'), b.waitFor('ready')]);
    a.send('go');
    b.send('go');
    const outcomes = await Promise.all([a, b].map((c) => Promise.race([c.waitFor('started'), c.waitFor('refused')])));
    const events = outcomes.map((o) => o.event).sort();
    expect(events).toEqual(['refused', 'started']);
    expect(outcomes.find((o) => o.event === 'refused')!.message).toMatch(/^Already being warmed: slow_one/);
    const winner = [a, b][outcomes.findIndex((o) => o.event === 'started')]!;
    expect(await winner.waitFor('done')).toMatchObject({ status: 'succeeded', totals: { warmed: 40 } });
    const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from runs`);
    expect(row!.n).toBe(1);
  });

  it('finishes the run of a killed process on another process, each key counted once, and then frees its strategy', async () => {
    const { url, database } = await useTestDatabase();
    const { cache, prefix } = await useTestRedisCache('killed');
    // Shards capped at 2 s and a short load timeout: the killed process's job expires in seconds.
    await database.rows(sql`update settings set key_timeout_ms = 500 where id = 1`);
    const testEnv = { KILN_TEST_ENV: JSON.stringify({ KILN_SHARD_SECONDS: '2' }) };
    const child = spawnTsChild(CHILD, ['--db', url, '--redis', TEST_REDIS_URL, '--prefix', prefix, '--keys', '3000', '--delay', '2'], testEnv);
    await child.waitFor('ready');
    child.send('go');
    const { runId } = await child.waitFor('started');
    await new Promise((r) => setTimeout(r, 700));
    child.process.kill('SIGKILL');
    await new Promise((r) => child.process.once('exit', r));
    const [before] = await database.rows<{ status: string }>(sql`select status from runs where id = ${runId as string}`);
    expect(before!.status).toBe('running');
    // Another process with the same strategy: its worker takes the expired shard over.
    const warmer = await testWarmer(database, cache, [fakeStrategy({ name: 'slow_one', keys: Array.from({ length: 3000 }, (_, i) => `child:${i}`) })]);
    const { RunWaiters } = await import('@/server/warmup/run-waiters');
    const pino = (await import('pino')).default;
    const summary = await new RunWaiters(database, pino({ level: 'silent' })).wait(runId as string);
    expect(summary).toMatchObject({ status: 'succeeded', totals: { total: 3000, warmed: 3000, failed: 0 } });
    const retried = await database.rows<{ n: number }>(sql`select count(*)::int as n from run_shards where run_id = ${runId as string}::uuid and jsonb_array_length(retries) > 0`);
    expect(retried[0]!.n).toBe(1);
    const next = await warmer.startRun({ trigger: 'schedule', triggeredBy: 'Nightly', scope: { strategies: ['slow_one'] } });
    expect((await next.done).status).toBe('succeeded');
  });
});
