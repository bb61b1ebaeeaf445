import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as runGovernor from '@/app/api/runs/[id]/governor/route';
import * as runs from '@/app/api/runs/route';
import * as schedules from '@/app/api/schedules/route';
import { type Call, auditRows, errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { sleep } from '../../support/fake-strategy';
import { useTestRuntime } from '../../support/runtime';

const id = (value: string) => ({ params: Promise.resolve({ id: value }) });
const call = (handler: (r: Request, c: never) => Promise<Response>, path: string, c: Call, context?: unknown) => handler(request(path, c), context as never);

describe('the governor profile through the API', () => {
  it('starts a run with a profile, keeps it in its plan and the audit, and answers its samples', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    const viewer = await signedIn(database, 'viewer');
    const started = await call(runs.POST, '/api/runs', { session: operator.session, body: { scope: { strategies: ['categories'] }, profile: 'gentle' } });
    expect(started.status).toBe(202);
    const { runId } = await started.json();
    const [plan] = await database.rows<{ profile: string }>(sql`select plan->>'profile' as profile from runs where id = ${runId}::uuid`);
    expect(plan!.profile).toBe('gentle');
    const [audit] = await auditRows(database, sql`action = 'run.trigger'`);
    expect(audit).toMatchObject({ after: expect.objectContaining({ profile: 'gentle' }) });
    for (let i = 0; i < 100; i++) {
      const [row] = await database.rows<{ status: string }>(sql`select status from runs where id = ${runId}::uuid`);
      if (row?.status !== 'running') break;
      await sleep(50);
    }
    const answer = await call(runGovernor.GET, `/api/runs/${runId}/governor`, { session: viewer.session }, id(runId));
    expect(answer.status).toBe(200);
    const body = await answer.json();
    const [{ n }] = (await database.rows<{ n: number }>(sql`select count(*)::int as n from run_governor_samples where run_id = ${runId}::uuid`)) as [{ n: number }];
    expect(body).toMatchObject({ profile: 'gentle', limit: 1500 });
    expect(body.samples).toHaveLength(n);
    expect(await errorOf(await call(runGovernor.GET, '/api/runs/00000000-0000-4000-8000-000000000009/governor', { session: viewer.session }, id('00000000-0000-4000-8000-000000000009')))).toMatchObject({ status: 404 });
  });

  it('refuses an unknown profile with 400 naming the field, for a run and for a schedule, saving nothing', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    const refused = await errorOf(await call(runs.POST, '/api/runs', { session: operator.session, body: { scope: { all: true }, profile: 'turbo' } }));
    expect(refused).toMatchObject({ status: 400, field: 'profile' });
    const before = await database.rows(sql`select count(*)::int as n from schedules`);
    const badSchedule = await errorOf(await call(schedules.POST, '/api/schedules', { session: operator.session, body: { name: 'Gov', cron: '0 3 * * *', scope: { all: true }, governorProfile: 'turbo' } }));
    expect(badSchedule).toMatchObject({ status: 400, field: 'governorProfile' });
    expect(await database.rows(sql`select count(*)::int as n from schedules`)).toEqual(before);
    expect(await database.rows(sql`select count(*)::int as n from runs`)).toEqual([{ n: 0 }]);
    const created = await call(schedules.POST, '/api/schedules', { session: operator.session, body: { name: 'Gov', cron: '0 3 * * *', scope: { all: true }, governorProfile: 'max' } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ schedule: { governorProfile: 'max' } });
    const [row] = await database.rows<{ p: string }>(sql`select governor_profile::text as p from schedules where name = 'Gov'`);
    expect(row!.p).toBe('max');
  });
});
