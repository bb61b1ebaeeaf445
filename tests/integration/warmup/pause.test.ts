import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as settingsRoute from '@/app/api/settings/route';
import * as workersRoute from '@/app/api/workers/route';
import type { WorkersOverview } from '@/lib/api/workers';
import { readSnapshot } from '@/server/runs/watch-run';
import { auditRows, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { fakeStrategy, sleep } from '../../support/fake-strategy';
import { useTestRuntime } from '../../support/runtime';

const pause = (session: string, paused: boolean) =>
  settingsRoute.PATCH(request('/api/settings', { session, method: 'PATCH', body: { paused } }), undefined as never);

describe('the global pause', () => {
  it('stops every worker from taking new work while on (the run waits, saying so), audited, and the run goes on once resumed', async () => {
    const { database } = await useTestDatabase();
    const runtime = await useTestRuntime(database, { strategies: [fakeStrategy({ name: 'paused_one', keys: ['p:1', 'p:2'] })] });
    const operator = await signedIn(database, 'operator');
    const viewer = await signedIn(database, 'viewer');

    expect((await pause(viewer.session, true)).status).toBe(403);
    const paused = await pause(operator.session, true);
    expect(paused.status).toBe(200);
    expect((await paused.json()).settings).toMatchObject({ paused: true, pausedBy: expect.stringContaining('@') });

    const run = await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } });
    await sleep(2500); // workers look at the pause at least once a second
    const waiting = await readSnapshot(database, run.runId);
    expect(waiting).toMatchObject({ status: 'running', warmed: 0, progress: { phase: 'queued', waitingFor: 'pause' } });

    const resumed = await pause(operator.session, false);
    expect((await resumed.json()).settings).toMatchObject({ paused: false, pausedAt: null, pausedBy: null });
    const summary = await run.done;
    expect(summary).toMatchObject({ status: 'succeeded', totals: { warmed: 2 } });
    const actions = (await auditRows(database, sql`action like 'warming.%'`)).map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(['warming.pause:ok', 'warming.resume:ok']);
  });

  it('lists the workers with what they did, and the queue', async () => {
    const { database } = await useTestDatabase();
    const runtime = await useTestRuntime(database, { strategies: [fakeStrategy({ name: 'listed', keys: ['l:1', 'l:2', 'l:3'] })] });
    const viewer = await signedIn(database, 'viewer');
    await (await runtime.warmer.startRun({ trigger: 'manual', triggeredBy: 'x', scope: { all: true } })).done;
    await sleep(2200); // a report (every 2 s) after the shard
    const response = await workersRoute.GET(request('/api/workers', viewer), undefined as never);
    expect(response.status).toBe(200);
    const body = (await response.json()) as WorkersOverview;
    expect(body.workers).toHaveLength(1);
    expect(body.workers[0]).toMatchObject({ name: runtime.workers!.name, alive: true, state: 'running', shardsDone: 1, keysDone: 3, slots: 2 });
    expect(body.queue).toEqual({ queued: 0, active: 0, retrying: 0 });
    expect(body.paused).toBe(false);
    expect((await workersRoute.GET(request('/api/workers', {}), undefined as never)).status).toBe(401);
  });
});
