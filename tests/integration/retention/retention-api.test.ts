import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as retention from '@/app/api/settings/retention/route';
import type { RetentionView } from '@/lib/api/retention';
import type { Database } from '@/server/db/client';
import { pruneOnce } from '@/server/retention/prune';
import { type Call, auditRows, errorOf, request, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { seedRunHistory } from '../../support/run-history';
import { useTestRuntime } from '../../support/runtime';

const DAY = 86_400_000;
type Handler = (r: Request, c: never) => Promise<Response>;
const call = (handler: Handler, c: Call) => handler(request('/api/settings/retention', c), undefined as never);

async function policiesDigest(database: Database): Promise<string> {
  const [row] = await database.rows<{ d: string }>(sql`select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as d from retention_policies t`);
  return row!.d;
}

describe('the retention settings API', () => {
  it('is for admins only', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database);
    const operator = await signedIn(database, 'operator');
    expect((await call(retention.GET, {})).status).toBe(401);
    expect((await call(retention.GET, { session: operator.session })).status).toBe(403);
    expect((await call(retention.PATCH, { method: 'PATCH', session: operator.session, body: { policies: { runs: 30 } } })).status).toBe(403);
    expect(await policiesDigest(database)).toBe('0:' + 'd41d8cd98f00b204e9800998ecf8427e');
  });

  it('shows each policy with its tables\u2019 rows, size and oldest row, and the last prune', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database);
    const admin = await signedIn(database, 'admin');
    const now = new Date();
    await seedRunHistory(database, { from: new Date(now.getTime() - 45 * DAY), to: new Date(now.getTime() - DAY), everyMinutes: 360, strategies: ['hot_products'], maxFailed: 3 });
    await pruneOnce(database, { timezone: 'UTC', batchRows: 1000, pauseMs: 0, by: 'web-1:42' });
    const view = (await (await call(retention.GET, { session: admin.session })).json()) as RetentionView;
    const runs = view.policies.find((p) => p.policy === 'runs')!;
    expect(runs).toMatchObject({ days: 400, defaultDays: 400, minDays: 7, updatedAt: null, appliedBy: 'prune' });
    const [counts] = await database.rows<{ runs: number; oldest: string; failures: number; oldest_failure: string }>(sql`
      select (select count(*)::int from runs) as runs, (select to_char(min(created_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') from runs) as oldest,
             (select count(*)::int from run_failures) as failures, (select to_char(min(at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') from run_failures) as oldest_failure`);
    expect(runs.tables.find((t) => t.table === 'runs')).toMatchObject({ rows: counts!.runs, rowsEstimated: false, oldestAt: counts!.oldest });
    expect(runs.tables.find((t) => t.table === 'runs')!.bytes).toBeGreaterThan(8192);
    const failures = view.policies.find((p) => p.policy === 'run_failures')!;
    expect(failures.tables[0]).toMatchObject({ table: 'run_failures', rows: counts!.failures, oldestAt: counts!.oldest_failure });
    // The 30-day policy removed the older failures.
    expect(Date.parse(counts!.oldest_failure)).toBeGreaterThanOrEqual(now.getTime() - 30 * DAY - 60_000);
    expect(view.policies.find((p) => p.policy === 'job_archive')).toMatchObject({ appliedBy: 'job-engine', days: 7 });
    expect(view.lastPrune).toMatchObject({ by: 'web-1:42', error: null });
    expect(view.lastPrune.removed.run_failures).toBeGreaterThan(0);
    expect(Date.parse(view.lastPrune.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(view.lastPrune.startedAt!));
    expect(view.timezone).toBe('UTC');
  });

  it('changes only the policies sent, audited; a bad one gets a 400 naming its field and nothing is saved', async () => {
    const { database } = await useTestDatabase();
    await useTestRuntime(database);
    const admin = await signedIn(database, 'admin');
    const bad: [unknown, string][] = [
      [{ policies: { runs: 3 } }, 'policies.runs'],
      [{ policies: { runs: 365, audit_log: 'forever' } }, 'policies.audit_log'],
      [{ policies: { runs: 365, nope: 5 } }, 'policies.nope'],
      [{ policies: { run_failures: 1.5 } }, 'policies.run_failures'],
      [{ policies: {} }, 'policies'],
      [{ policies: { runs: 365 }, extra: true }, 'extra'],
    ];
    for (const [body, field] of bad) {
      const error = await errorOf(await call(retention.PATCH, { method: 'PATCH', session: admin.session, body }));
      expect(error, JSON.stringify(body)).toMatchObject({ status: 400, field });
      expect(error.message).toContain(field);
    }
    expect(await policiesDigest(database)).toBe('0:d41d8cd98f00b204e9800998ecf8427e');
    expect(await auditRows(database, sql`action = 'retention.update'`)).toEqual([]);

    const response = await call(retention.PATCH, { method: 'PATCH', session: admin.session, body: { policies: { runs: 365, schedule_fires: 14 } } });
    expect(response.status).toBe(200);
    const view = (await response.json()) as RetentionView;
    expect(view.policies.find((p) => p.policy === 'runs')).toMatchObject({ days: 365, updatedBy: admin.email });
    expect(view.policies.find((p) => p.policy === 'schedule_fires')).toMatchObject({ days: 14 });
    expect(view.policies.find((p) => p.policy === 'audit_log')).toMatchObject({ days: 400, updatedAt: null });
    const saved = await database.rows<{ policy: string; days: number; updated_by: string }>(sql`select policy, days, updated_by from retention_policies order by policy`);
    expect(saved).toEqual([
      { policy: 'runs', days: 365, updated_by: admin.email },
      { policy: 'schedule_fires', days: 14, updated_by: admin.email },
    ]);
    const [audit] = await database.rows<{ actor: string; target: string; before: unknown; after: unknown }>(
      sql`select actor, target, before, after from audit_log where action = 'retention.update'`,
    );
    expect(audit).toEqual({ actor: admin.email, target: 'retention', before: { runs: 400, schedule_fires: 30 }, after: { runs: 365, schedule_fires: 14 } });

    // A second change records the first as its "before".
    await call(retention.PATCH, { method: 'PATCH', session: admin.session, body: { policies: { runs: 500 } } });
    const audits = await database.rows<{ before: unknown; after: unknown }>(sql`select before, after from audit_log where action = 'retention.update' order by id`);
    expect(audits[1]).toEqual({ before: { runs: 365 }, after: { runs: 500 } });

    // The prune follows: schedule fires now go after 14 days.
    await database.rows(sql`insert into schedules (name, cron, scope) values ('s', '* * * * *', '{"all":true}')`);
    await database.rows(sql`
      insert into schedule_fires (schedule_id, slot_at, outcome, claimed_by, created_at)
      select 1, t, 'started', 'x', t from generate_series(now() - interval '20 days', now(), interval '1 hour') t`);
    const report = await pruneOnce(database, { timezone: 'UTC', batchRows: 1000, pauseMs: 0 });
    // Hourly from 20 days ago: the 145 slots up to and including 14 days ago (the prune runs a moment later).
    expect(report.removed.schedule_fires).toBe(6 * 24 + 1);
    const [oldest] = await database.rows<{ old: boolean }>(sql`select min(created_at) >= now() - interval '14 days' as old from schedule_fires`);
    expect(oldest!.old).toBe(true);
  });
});
