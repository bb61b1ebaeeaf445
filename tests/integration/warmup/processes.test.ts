import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sweepAbandonedRuns } from '@/server/warmup/run-store';
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

  it('marks the run of a killed process abandoned and frees its strategy for the next run', async () => {
    const { url, database } = await useTestDatabase();
    const { cache, prefix } = await useTestRedisCache('killed');
    const child = spawnTsChild(CHILD, ['--db', url, '--redis', TEST_REDIS_URL, '--prefix', prefix, '--keys', '100000', '--delay', '20']);
    await child.waitFor('ready');
    child.send('go');
    const { runId } = await child.waitFor('started');
    await new Promise((r) => setTimeout(r, 700)); // a heartbeat or two
    child.process.kill('SIGKILL');
    await new Promise((r) => child.process.once('exit', r));
    const [before] = await database.rows<{ status: string }>(sql`select status from runs where id = ${runId as string}`);
    expect(before!.status).toBe('running');
    // Kiln's sweep treats 30 s without a heartbeat as dead; the test waits 2.
    await new Promise((r) => setTimeout(r, 2200));
    expect(await sweepAbandonedRuns(database, 2)).toEqual([runId]);
    const [after] = await database.rows<{ status: string; error: string }>(sql`select status, error from runs where id = ${runId as string}`);
    expect(after!.status).toBe('abandoned');
    expect(after!.error).toMatch(/stopped sending heartbeats/);
    const warmer = testWarmer(database, cache, [fakeStrategy({ name: 'slow_one', keys: ['k'] })]);
    const next = await warmer.startRun({ trigger: 'schedule', triggeredBy: 'Nightly', scope: { strategies: ['slow_one'] } });
    expect((await next.done).status).toBe('succeeded');
  });
});
