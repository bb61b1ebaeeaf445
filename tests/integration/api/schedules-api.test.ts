import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as one from '@/app/api/schedules/[id]/route';
import * as runNow from '@/app/api/schedules/[id]/run/route';
import * as preview from '@/app/api/schedules/preview/route';
import * as runDetail from '@/app/api/runs/[id]/route';
import * as runsList from '@/app/api/runs/route';
import * as schedules from '@/app/api/schedules/route';
import type { Database } from '@/server/db/client';
import { type Call, auditRows, errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';

const id = (value: string | number) => ({ params: Promise.resolve({ id: String(value) }) });
type Handler = (r: Request, c: never) => Promise<Response>;
const call = (handler: Handler, path: string, c: Call, context?: unknown) => handler(request(path, c), context as never);

async function schedulesDigest(database: Database): Promise<string> {
  const [row] = await database.rows<{ d: string }>(sql`select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as d from schedules t`);
  return row!.d;
}

const GOOD = { name: 'Hourly hot products', cron: '15 * * * *', timezone: 'Europe/Berlin', scope: { strategies: ['hot_products'] }, concurrency: 10 };

describe('the schedules API', () => {
  it('answers 401 without credentials and 403 to a viewer\u2019s change', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const viewer = await signedIn(database, 'viewer');
    const endpoints: [string, Handler, string, unknown, unknown?][] = [
      ['GET', schedules.GET, '/api/schedules', undefined],
      ['POST', schedules.POST, '/api/schedules', undefined, GOOD],
      ['GET', one.GET, '/api/schedules/1', id(1)],
      ['PATCH', one.PATCH, '/api/schedules/1', id(1), { enabled: false }],
      ['DELETE', one.DELETE, '/api/schedules/1', id(1)],
      ['POST', runNow.POST, '/api/schedules/1/run', id(1), {}],
      ['POST', preview.POST, '/api/schedules/preview', undefined, { cron: '* * * * *' }],
    ];
    for (const [method, handler, path, context, body] of endpoints) {
      expect((await call(handler, path, { method, body }, context)).status, `${method} ${path}`).toBe(401);
      if (method !== 'GET' && path !== '/api/schedules/preview') {
        expect((await call(handler, path, { method, body, session: viewer.session }, context)).status, `${method} ${path} as viewer`).toBe(403);
      }
    }
    // The preview changes nothing: a viewer may use it.
    expect((await call(preview.POST, '/api/schedules/preview', { body: { cron: '0 2 * * *' }, session: viewer.session })).status).toBe(200);
  });

  it('creates, previews, pauses, resumes, runs now and deletes a schedule, auditing each change', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    const created = await call(schedules.POST, '/api/schedules', { session: operator.session, body: GOOD });
    expect(created.status).toBe(201);
    const { schedule } = await created.json();
    expect(schedule).toMatchObject({ name: GOOD.name, cron: '15 * * * *', timezone: 'Europe/Berlin', enabled: true, createdBy: operator.email, lastFire: null });
    expect(schedule.description).toMatch(/15 minutes past the hour/i);
    expect(Date.parse(schedule.nextFireAt)).toBeGreaterThan(Date.now());

    const previewed = await (await call(preview.POST, '/api/schedules/preview', { session: operator.session, body: { cron: '30 2 * * *', timezone: 'Europe/Berlin' } })).json();
    expect(previewed.description).toBe('At 02:30');
    expect(previewed.nextFireTimes).toHaveLength(5);

    const paused = await (await call(one.PATCH, `/api/schedules/${schedule.id}`, { method: 'PATCH', session: operator.session, body: { enabled: false } }, id(schedule.id))).json();
    expect(paused.schedule).toMatchObject({ enabled: false, nextFireAt: null });
    const resumed = await (await call(one.PATCH, `/api/schedules/${schedule.id}`, { method: 'PATCH', session: operator.session, body: { enabled: true } }, id(schedule.id))).json();
    expect(resumed.schedule.enabled).toBe(true);
    const edited = await (await call(one.PATCH, `/api/schedules/${schedule.id}`, { method: 'PATCH', session: operator.session, body: { cron: '45 * * * *' } }, id(schedule.id))).json();
    expect(edited.schedule.cron).toBe('45 * * * *');

    const run = await call(runNow.POST, `/api/schedules/${schedule.id}/run`, { session: operator.session, body: {} }, id(schedule.id));
    expect(run.status).toBe(202);
    const { runId } = await run.json();
    const [row] = await database.rows<{ schedule_id: number; trigger: string; triggered_by: string }>(sql`select schedule_id, trigger, triggered_by from runs where id = ${runId}::uuid`);
    expect(row).toEqual({ schedule_id: schedule.id, trigger: 'schedule', triggered_by: operator.email });
    // The run page shows it as the schedule's run, with its link, and who pressed Run now.
    const detail = (await (await call(runDetail.GET, `/api/runs/${runId}`, { session: operator.session }, { params: Promise.resolve({ id: runId }) })).json()).run;
    expect(detail).toMatchObject({ trigger: 'schedule', triggeredBy: operator.email, scheduleId: schedule.id, scheduleName: GOOD.name });
    const listed = await (await call(runsList.GET, '/api/runs?trigger=schedule', { session: operator.session })).json();
    expect(listed.items).toEqual([expect.objectContaining({ id: runId, scheduleId: schedule.id, scheduleName: GOOD.name })]);

    const deleted = await call(one.DELETE, `/api/schedules/${schedule.id}`, { method: 'DELETE', session: operator.session }, id(schedule.id));
    expect(deleted.status).toBe(200);
    expect(await errorOf(await call(one.GET, `/api/schedules/${schedule.id}`, { session: operator.session }, id(schedule.id)))).toMatchObject({ status: 404 });
    const actions = (await auditRows(database, sql`action like 'schedule.%'`)).map((a) => a.action);
    expect(actions).toEqual(['schedule.create', 'schedule.pause', 'schedule.resume', 'schedule.update', 'schedule.run_now', 'schedule.delete']);
  });

  it('refuses the bad expressions, zones and scopes naming the field, and the table stays unchanged', async () => {
    const { database } = await useTestDatabase({ shop: true });
    await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    await call(schedules.POST, '/api/schedules', { session: operator.session, body: GOOD });
    const before = await schedulesDigest(database);
    const cases: [string, Record<string, unknown>, string][] = [
      ['minute 61', { cron: '61 * * * *' }, 'cron'],
      ['four fields', { cron: '* * * *' }, 'cron'],
      ['step zero', { cron: '*/0 * * * *' }, 'cron'],
      ['never fires', { cron: '0 0 30 2 *' }, 'cron'],
      ['six fields (seconds)', { cron: '* * * * * *' }, 'cron'],
      ['empty', { cron: '' }, 'cron'],
      ['10 kB', { cron: '1 '.repeat(5000) }, 'cron'],
      ['non-ASCII digits', { cron: '\u0665 * * * *' }, 'cron'],
      ['unknown zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      ['empty scope', { scope: { strategies: [] } }, 'scope.strategies'],
      ['unknown strategy', { scope: { strategies: ['warm_everything'] } }, 'scope.strategies'],
      ['unknown tag', { scope: { tags: ['gold'] } }, 'scope.tags'],
      ['duplicate name', { name: GOOD.name }, 'name'],
      ['concurrency float', { concurrency: 2.5 }, 'concurrency'],
    ];
    for (const [label, override, field] of cases) {
      const error = await errorOf(await call(schedules.POST, '/api/schedules', { session: operator.session, body: { ...GOOD, name: `${label} schedule`, ...override } }));
      expect(error.status, label).toBeGreaterThanOrEqual(400);
      expect(error.status, label).toBeLessThan(500);
      expect(error.field, label).toBe(field);
      expect(error.message, label).toBeTruthy();
    }
    for (const [label, override, field] of cases.slice(0, 9)) {
      const error = await errorOf(await call(preview.POST, '/api/schedules/preview', { session: operator.session, body: { cron: GOOD.cron, timezone: GOOD.timezone, ...override } }));
      expect([label, error.status, error.field]).toEqual([label, 400, field]);
    }
    expect(await errorOf(await call(schedules.POST, '/api/schedules', { session: operator.session, rawBody: '{"name": ', contentType: 'application/json' }))).toMatchObject({ status: 400 });
    expect(await errorOf(await call(schedules.POST, '/api/schedules', { session: operator.session, body: { ...GOOD, name: 'x', colour: 'blue' } }))).toMatchObject({ status: 400, field: 'colour' });
    expect(await schedulesDigest(database)).toBe(before);
  });
});
